"""Monthly tallies: the analytics GROUP BY of a closed month, kept (app.stats.tallies).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def _cell_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sector_code", String(length=32), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "tallied_month",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("generation", String(length=32), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("tallied_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_tallied_month")),
    )
    op.create_table(
        "month_count",
        *_cell_columns(),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "sector_code", "channel", name=op.f("pk_month_count")
        ),
    )
    op.create_table(
        "month_tally",
        *_cell_columns(),
        sa.Column("question_id", String(length=64), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("unsatisfied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "sector_code", "channel", "question_id",
            name=op.f("pk_month_tally"),
        ),  # fmt: skip
    )


def downgrade() -> None:
    op.drop_table("month_tally")
    op.drop_table("month_count")
    op.drop_table("tallied_month")

"""Monthly answer patterns of the element indices (app.stats.tallies).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "month_pattern_plan",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("indicator", String(length=64), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "indicator", name=op.f("pk_month_pattern_plan")),
    )
    op.create_table(
        "month_pattern",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sector_code", String(length=32), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
        sa.Column("indicator", String(length=64), nullable=False),
        sa.Column("pattern", String(length=64), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "sector_code", "channel", "indicator", "pattern",
            name=op.f("pk_month_pattern"),
        ),  # fmt: skip
    )


def downgrade() -> None:
    op.drop_table("month_pattern")
    op.drop_table("month_pattern_plan")

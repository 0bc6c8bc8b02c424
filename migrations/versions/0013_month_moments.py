"""Monthly second moments of the indices and groups of the drivers model (app.stats.tallies):
an index's figures and the drivers from a few thousand rows, however many responses.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "month_moment_plan",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("indicator", String(length=64), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "indicator", name=op.f("pk_month_moment_plan")),
    )
    op.create_table(
        "month_moment",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sector_code", String(length=32), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
        sa.Column("indicator", String(length=64), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("none_answered", sa.Integer(), nullable=False),
        sa.Column("sums", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "sector_code", "channel", "indicator",
            name=op.f("pk_month_moment"),
        ),  # fmt: skip
    )


    op.create_table(
        "month_driver",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sector_code", String(length=32), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("groups", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "sector_code", "channel", name=op.f("pk_month_driver")
        ),
    )


def downgrade() -> None:
    op.drop_table("month_driver")
    op.drop_table("month_moment")
    op.drop_table("month_moment_plan")

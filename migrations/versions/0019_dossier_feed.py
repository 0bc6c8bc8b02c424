"""The dossier feed: each pulled file and its outcome; dossiers marked synthetic.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = app.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "dossier_pull",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=500), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.Column("outcome", String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IN ('imported', 'rejected', 'failed')",
                           name=op.f("ck_dossier_pull_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_pull")),
    )  # fmt: skip
    op.create_index(op.f("ix_dossier_pull_at"), "dossier_pull", ["at"])
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.add_column(
            sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch_op:
        batch_op.drop_column("synthetic")
    op.drop_index(op.f("ix_dossier_pull_at"), table_name="dossier_pull")
    op.drop_table("dossier_pull")

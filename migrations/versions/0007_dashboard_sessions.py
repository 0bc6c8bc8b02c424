"""Dashboard sessions kept on the server, so that logging out ends them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "dashboard_session",
        sa.Column("token_sha256", String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"],
            name=op.f("fk_dashboard_session_api_key_id_api_key"),
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_dashboard_session")),
    )
    op.create_index(
        op.f("ix_dashboard_session_api_key_id"), "dashboard_session", ["api_key_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dashboard_session_api_key_id"), table_name="dashboard_session")
    op.drop_table("dashboard_session")

"""Invitations record the channel of the service (counter or online).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), nullable=False, server_default="counter")
        )
        batch_op.create_check_constraint(
            op.f("ck_invitation_channel"), "channel IN ('counter', 'online', 'paper')"
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invitation_channel"), type_="check")
        batch_op.drop_column("channel")

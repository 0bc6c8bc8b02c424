"""Invitations sent by SMS or Zalo: each message with its tries and status; opt-outs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = app.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "invitation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("kind", String(length=10), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
        sa.Column("status", String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Moment(timezone=True), nullable=False),
        sa.Column("claimed_until", Moment(timezone=True), nullable=True),
        sa.Column("sent_at", Moment(timezone=True), nullable=True),
        sa.Column("provider_id", String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('invite', 'reminder')", name=op.f("ck_invitation_message_kind")),
        sa.CheckConstraint("channel IN ('sms', 'zalo')", name=op.f("ck_invitation_message_channel")),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead', 'skipped')",
                           name=op.f("ck_invitation_message_status")),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"],
                                name=op.f("fk_invitation_message_invitation_id_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_message")),
        sa.UniqueConstraint("invitation_id", "kind",
                            name=op.f("uq_invitation_message_invitation_id_kind")),
    )  # fmt: skip
    op.create_index(
        "ix_invitation_message_due", "invitation_message", ["status", "next_attempt_at"]
    )
    op.create_table(
        "opt_out",
        sa.Column("phone_hash", String(length=64), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone_hash", name=op.f("pk_opt_out")),
    )


def downgrade() -> None:
    op.drop_table("opt_out")
    op.drop_index("ix_invitation_message_due", table_name="invitation_message")
    op.drop_table("invitation_message")

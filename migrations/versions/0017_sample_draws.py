"""The daily random sample: each draw with its seed and frame; invitations drawn by it
carry the draw and a keyed hash of the applicant's phone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "sample_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("frame_sha256", String(length=64), nullable=False),
        sa.Column("frame_size", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_draw")),
        sa.UniqueConstraint("drawn_on", name=op.f("uq_sample_draw_drawn_on")),
    )
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("draw_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phone_hash", String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_invitation_draw_id_sample_draw"), "sample_draw", ["draw_id"], ["id"]
        )
        batch.create_index(op.f("ix_invitation_draw_id"), ["draw_id"])
        batch.create_index(op.f("ix_invitation_phone_hash"), ["phone_hash"])


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_index(op.f("ix_invitation_phone_hash"))
        batch.drop_index(op.f("ix_invitation_draw_id"))
        batch.drop_constraint(op.f("fk_invitation_draw_id_sample_draw"), type_="foreignkey")
        batch.drop_column("phone_hash")
        batch.drop_column("draw_id")
    op.drop_table("sample_draw")

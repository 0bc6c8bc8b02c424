"""Dossiers of the one-stop information system: the survey's frame and its volumes; the
code kept as a keyed hash, the applicant's phone only encrypted and until its window.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = app.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", String(), nullable=False),
        sa.Column("sector_code", String(), nullable=False),
        sa.Column("channel", String(length=10), nullable=False),
        sa.Column("received_at", Moment(timezone=True), nullable=False),
        sa.Column("due_at", Moment(timezone=True), nullable=True),
        sa.Column("finished_at", Moment(timezone=True), nullable=True),
        sa.Column("finished_month", String(length=7), nullable=True),
        sa.Column("status", String(length=20), nullable=False),
        sa.Column("applicant_kind", String(length=20), nullable=True),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("disliked", sa.Boolean(), nullable=False),
        sa.Column("phone_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("phone_erase_at", Moment(timezone=True), nullable=True),
        sa.Column("content_sha256", String(length=64), nullable=False),
        sa.Column("imported_at", Moment(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('counter', 'online', 'paper')", name=op.f("ck_dossier_channel")
        ),
        sa.ForeignKeyConstraint(["procedure_code"], ["procedure.code"],
                                name=op.f("fk_dossier_procedure_code_procedure")),
        sa.ForeignKeyConstraint(["sector_code"], ["sector.code"],
                                name=op.f("fk_dossier_sector_code_sector")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_dossier_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_dossier_code_hash")),
    )  # fmt: skip
    op.create_index(
        "ix_dossier_finished", "dossier", ["finished_month", "unit_id", "sector_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_finished", table_name="dossier")
    op.drop_table("dossier")

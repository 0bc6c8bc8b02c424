"""Accounts for people: users with argon2id password hashes, their units, failed sign-ins
for throttling; a dashboard session belongs to an account or to an API key.

Open dashboard sessions are dropped with their table: people sign in again once.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = app.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", String(length=64), nullable=False),
        sa.Column("display_name", String(length=200), nullable=False),
        sa.Column("password_hash", String(length=200), nullable=False),
        sa.Column("role", String(length=10), nullable=False),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("password_changed_at", Moment(timezone=True), nullable=False),
        sa.Column("disabled_at", Moment(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'analyst', 'unit')", name=op.f("ck_user_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "user_account_unit",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_user_account_unit_user_id_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_user_account_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("user_id", "unit_id", name=op.f("pk_user_account_unit")),
    )  # fmt: skip
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_sha256", String(length=64), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_name_sha256"), "login_failure", ["name_sha256"])
    op.drop_index(op.f("ix_dashboard_session_api_key_id"), table_name="dashboard_session")
    op.drop_table("dashboard_session")
    op.create_table(
        "dashboard_session",
        sa.Column("token_sha256", String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("expires_at", Moment(timezone=True), nullable=False),
        sa.Column("ended_at", Moment(timezone=True), nullable=True),
        sa.CheckConstraint("(api_key_id IS NULL) <> (user_id IS NULL)",
                           name=op.f("ck_dashboard_session_one_holder")),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"],
                                name=op.f("fk_dashboard_session_api_key_id_api_key")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_dashboard_session_user_id_user_account")),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_dashboard_session")),
    )  # fmt: skip
    op.create_index(op.f("ix_dashboard_session_api_key_id"), "dashboard_session", ["api_key_id"])
    op.create_index(op.f("ix_dashboard_session_user_id"), "dashboard_session", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dashboard_session_user_id"), table_name="dashboard_session")
    op.drop_index(op.f("ix_dashboard_session_api_key_id"), table_name="dashboard_session")
    op.drop_table("dashboard_session")
    op.create_table(
        "dashboard_session",
        sa.Column("token_sha256", String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("expires_at", Moment(timezone=True), nullable=False),
        sa.Column("ended_at", Moment(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"],
                                name=op.f("fk_dashboard_session_api_key_id_api_key")),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_dashboard_session")),
    )  # fmt: skip
    op.create_index(op.f("ix_dashboard_session_api_key_id"), "dashboard_session", ["api_key_id"])
    op.drop_index(op.f("ix_login_failure_name_sha256"), table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_table("user_account_unit")
    op.drop_table("user_account")

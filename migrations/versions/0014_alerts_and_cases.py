"""Alerts and cases: rules, the outbox of alerts written with their responses, deliveries
and each attempt, a unit's alert contacts, and the cases units follow up with their notes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Moment = app.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=200), nullable=False),
        sa.Column("scope", String(length=10), nullable=False),
        sa.Column("sector_code", String(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("overall_at_most", sa.SmallInteger(), nullable=True),
        sa.Column("element_dissatisfied", sa.Boolean(), nullable=False),
        sa.Column("misconduct", sa.Boolean(), nullable=False),
        sa.Column("has_comment", sa.Boolean(), nullable=False),
        sa.Column("not_flagged", sa.Boolean(), nullable=False),
        sa.Column("recipient", String(length=10), nullable=False),
        sa.Column("target", String(length=2000), nullable=False),
        sa.Column("secret", String(length=128), nullable=False),
        sa.Column("digest", String(length=10), nullable=False),
        sa.Column("quiet_start", sa.SmallInteger(), nullable=True),
        sa.Column("quiet_end", sa.SmallInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("created_by", String(length=64), nullable=False),
        sa.CheckConstraint(
            "digest IN ('immediate', 'hourly', 'daily')", name=op.f("ck_alert_rule_digest")
        ),
        sa.CheckConstraint(
            "recipient IN ('unit', 'email', 'webhook')", name=op.f("ck_alert_rule_recipient")
        ),
        sa.CheckConstraint("scope IN ('city', 'sector', 'unit')", name=op.f("ck_alert_rule_scope")),
        sa.ForeignKeyConstraint(
            ["sector_code"], ["sector.code"], name=op.f("fk_alert_rule_sector_code_sector")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_alert_rule_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rule")),
    )
    op.create_table(
        "unit_contact",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("email", String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_contact_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("unit_id", "email", name=op.f("pk_unit_contact")),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("status", String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Moment(timezone=True), nullable=False),
        sa.Column("claimed_until", Moment(timezone=True), nullable=True),
        sa.Column("delivered_at", Moment(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')", name=op.f("ck_alert_delivery_status")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rule.id"], name=op.f("fk_alert_delivery_rule_id_alert_rule")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_alert_delivery_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_alert_delivery_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_delivery_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["alert_delivery.id"],
            name=op.f("fk_delivery_attempt_delivery_id_alert_delivery"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_delivery_id"), ["delivery_id"], unique=False
        )

    op.create_table(
        "feedback_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", Moment(timezone=True), nullable=False),
        sa.Column("status", String(length=12), nullable=False),
        sa.Column("acknowledged_at", Moment(timezone=True), nullable=True),
        sa.Column("acknowledged_by", String(length=64), nullable=True),
        sa.Column("resolved_at", Moment(timezone=True), nullable=True),
        sa.Column("resolved_by", String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'acknowledged', 'resolved')", name=op.f("ck_feedback_case_status")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_feedback_case_response_id_response")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_feedback_case_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_case")),
        sa.UniqueConstraint("response_id", name=op.f("uq_feedback_case_response_id")),
    )
    with op.batch_alter_table("feedback_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_case_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "alert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", Moment(timezone=True), nullable=False),
        sa.Column("due_at", Moment(timezone=True), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["feedback_case.id"], name=op.f("fk_alert_case_id_feedback_case")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["alert_delivery.id"], name=op.f("fk_alert_delivery_id_alert_delivery")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_alert_response_id_response")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alert_rule.id"], name=op.f("fk_alert_rule_id_alert_rule")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_alert_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("rule_id", "response_id", name=op.f("uq_alert_rule_id_response_id")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_alert_undelivered", ["delivery_id", "due_at"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", Moment(timezone=True), nullable=False),
        sa.Column("actor", String(length=64), nullable=False),
        sa.Column("action", String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["feedback_case.id"], name=op.f("fk_case_note_case_id_feedback_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_undelivered")
        batch_op.drop_index(batch_op.f("ix_alert_case_id"))

    op.drop_table("alert")
    with op.batch_alter_table("feedback_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_case_unit_id"))

    op.drop_table("feedback_case")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_delivery_id"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_delivery_rule_id"))
        batch_op.drop_index("ix_alert_delivery_due")

    op.drop_table("alert_delivery")
    op.drop_table("unit_contact")
    op.drop_table("alert_rule")

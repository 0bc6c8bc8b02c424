"""Alert rules change the reference token too: every submission checks them.

As in 0020: SQLite drops a table's triggers with the table, so a later migration that
rebuilds alert_rule (``batch_alter_table``) must create these triggers again
(tests/test_reference_cache.py fails until it does).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER alert_rule_changes_reference AFTER INSERT OR UPDATE OR DELETE "
            "OR TRUNCATE ON alert_rule FOR EACH STATEMENT "
            "EXECUTE FUNCTION bump_reference_version()"
        )
        return
    for event in EVENTS:
        op.execute(
            f"CREATE TRIGGER alert_rule_{event}_changes_reference AFTER {event.upper()} ON "
            "alert_rule BEGIN UPDATE reference_version SET token = random(); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER alert_rule_changes_reference ON alert_rule")
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER alert_rule_{event}_changes_reference")

"""On PostgreSQL, responses partitioned by month (declarative range partitions on
``local_date``); SQLite keeps one table.

A month's responses then live in a table of their own: a period's query reads only its
months' partitions, a month's tally scans one partition, and an old month can be moved
to cheaper storage or detached without touching the rest.

A partitioned table's primary key and unique constraints must hold the partition key, so
the id alone (and the invitation answered) would no longer be unique across months. Both
move to ``response_key`` (id, invitation_id), which a trigger fills with every response
inserted, whoever inserts it: a second response with the same id, or for the same
invitation, still fails as it did, and the tables that refer to a response (answers,
cases, alerts, tags) refer to its key. The models (app.models) keep describing the
logical schema, the same on both databases; tests/test_migrations.py names these
PostgreSQL-only differences.

Partitions exist for every month that holds responses; the writers create a new month's
before its first response (app.responses.partitions), and the schedule creates the next
month's ahead of time.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from app.responses.partitions import create_partition

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every constraint of another table that names response: re-pointed to response_key.
_REFERRING = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND confrelid = 'response'::regclass
"""
# The response table's own foreign keys, copied to the partitioned table.
_OWN_FOREIGN_KEYS = """
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND conrelid = 'response_unpartitioned'::regclass
"""
_KEY_TRIGGER = """
CREATE FUNCTION keep_response_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO response_key (id, invitation_id) VALUES (NEW.id, NEW.invitation_id);
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE response_key SET id = NEW.id, invitation_id = NEW.invitation_id WHERE id = OLD.id;
    RETURN NEW;
  END IF;
  DELETE FROM response_key WHERE id = OLD.id;
  RETURN OLD;
END $$
"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    connection = op.get_bind()
    op.execute(
        "CREATE TABLE response_key (id uuid NOT NULL, invitation_id integer, "
        "CONSTRAINT pk_response_key PRIMARY KEY (id), "
        "CONSTRAINT uq_response_key_invitation_id UNIQUE (invitation_id))"
    )
    op.execute("INSERT INTO response_key (id, invitation_id) SELECT id, invitation_id FROM response")
    referring = connection.execute(text(_REFERRING)).all()
    for table, name, _ in referring:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")

    op.execute("ALTER TABLE response RENAME TO response_unpartitioned")
    for index in ("pk_response", "ix_response_analytics", "ix_response_device",
                  "uq_response_invitation_id"):  # fmt: skip
        op.execute(f"ALTER INDEX IF EXISTS {index} RENAME TO {index}_unpartitioned")
    op.execute(
        "CREATE TABLE response (LIKE response_unpartitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS) PARTITION BY RANGE (local_date)"
    )
    months = connection.execute(
        text("SELECT DISTINCT month FROM response_unpartitioned ORDER BY month")
    ).scalars()
    for month in months:
        create_partition(connection, month)
    # The rows first, then the keys and indexes: built from sorted rows, not row by row.
    op.execute("INSERT INTO response SELECT * FROM response_unpartitioned")
    foreign_keys = connection.execute(text(_OWN_FOREIGN_KEYS)).all()
    op.execute("DROP TABLE response_unpartitioned")
    op.execute("ALTER TABLE response ADD CONSTRAINT pk_response PRIMARY KEY (id, local_date)")
    op.execute(
        "CREATE INDEX ix_response_analytics ON response (local_date, excluded, unit_id, "
        "sector_code, month, channel, form_id, form_version, answer_codes)"
    )
    op.execute("CREATE INDEX ix_response_device ON response (device_hash, submitted_at)")
    for name, definition in foreign_keys:
        op.execute(f"ALTER TABLE response ADD CONSTRAINT {name} {definition}")

    op.execute(_KEY_TRIGGER)
    op.execute(
        "CREATE TRIGGER response_keeps_its_key BEFORE INSERT OR UPDATE OF id, invitation_id "
        "OR DELETE ON response FOR EACH ROW EXECUTE FUNCTION keep_response_key()"
    )
    for table, name, definition in referring:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} "
            + definition.replace("REFERENCES response(id)", "REFERENCES response_key(id)")
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    connection = op.get_bind()
    referring = connection.execute(
        text(_REFERRING.replace("'response'::regclass", "'response_key'::regclass"))
    ).all()
    for table, name, _ in referring:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute("DROP TRIGGER response_keeps_its_key ON response")
    op.execute("DROP FUNCTION keep_response_key()")
    op.execute("ALTER TABLE response RENAME TO response_partitioned")
    op.execute("ALTER INDEX pk_response RENAME TO pk_response_partitioned")
    op.execute("ALTER INDEX ix_response_analytics RENAME TO ix_response_analytics_partitioned")
    op.execute("ALTER INDEX ix_response_device RENAME TO ix_response_device_partitioned")
    op.execute(
        "CREATE TABLE response (LIKE response_partitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS)"
    )
    op.execute("ALTER TABLE response ADD CONSTRAINT pk_response PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE response ADD CONSTRAINT uq_response_invitation_id UNIQUE (invitation_id)"
    )
    own = connection.execute(
        text(_OWN_FOREIGN_KEYS.replace("response_unpartitioned", "response_partitioned"))
    ).all()
    for name, definition in own:
        op.execute(f"ALTER TABLE response ADD CONSTRAINT {name} {definition}")
    op.execute(
        "CREATE INDEX ix_response_analytics ON response (local_date, excluded, unit_id, "
        "sector_code, month, channel, form_id, form_version, answer_codes)"
    )
    op.execute("CREATE INDEX ix_response_device ON response (device_hash, submitted_at)")
    op.execute("INSERT INTO response SELECT * FROM response_partitioned")
    op.execute("DROP TABLE response_partitioned")
    op.execute("DROP TABLE response_key")
    for table, name, definition in referring:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} "
            + definition.replace("REFERENCES response_key(id)", "REFERENCES response(id)")
        )

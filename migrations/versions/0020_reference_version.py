"""A token that changes with every change to counters, sectors and procedures.

Triggers set it to a new random number in the changing transaction, so a process that
keeps a copy of these tables (app.reference_cache) sees any writer's change: a route,
the CLI, another server, plain SQL. Random rather than counted: a change rolled back
leaves the token as it was, and a copy read inside that transaction is labelled with a
number that never comes back.

SQLite drops a table's triggers with the table: a later migration that rebuilds counter,
sector or procedure (``batch_alter_table``) must create these triggers again
(tests/test_reference_cache.py fails until it does).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("counter", "sector", "procedure")
EVENTS = ("insert", "update", "delete")
POSTGRES_RANDOM = "(random() * 9e18)::bigint"


def upgrade() -> None:
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_reference_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"INSERT INTO reference_version (id, token) VALUES (1, {POSTGRES_RANDOM})")
        op.execute(
            "CREATE FUNCTION bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE reference_version SET token = {POSTGRES_RANDOM}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_changes_reference AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION bump_reference_version()"
            )
        return
    op.execute("INSERT INTO reference_version (id, token) VALUES (1, random())")
    for table in TABLES:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event}_changes_reference AFTER {event.upper()} ON "
                f'"{table}" BEGIN UPDATE reference_version SET token = random(); END'
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_changes_reference ON {table}")
        op.execute("DROP FUNCTION bump_reference_version()")
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_{event}_changes_reference")
    op.drop_table("reference_version")

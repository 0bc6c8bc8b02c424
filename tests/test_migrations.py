"""The schema changes only through migrations, and they match the models."""

import re
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, UniqueConstraint, inspect

from app.migrate import alembic_config
from app.models import metadata


def _partitioning_table(name: str | None, kind: str, parent: object) -> bool:
    return not (kind == "table" and re.fullmatch(r"response_(key|\d{4}_\d{2})", name or ""))


def _partitioning(diff: Any) -> bool:
    """What migration 0022 changes on PostgreSQL on purpose, the models describing the
    logical schema: the id and the invitation are unique in response_key, which the
    tables that refer to a response refer to."""
    match diff:
        case ("remove_fk" | "add_fk", constraint) if constraint.name.endswith("_response"):
            return True
        case ("add_constraint", UniqueConstraint() as unique):
            return unique.table.name == "response" and unique.columns.keys() == ["invitation_id"]
    return False


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    opts: dict[str, Any] = {"compare_type": True}
    if engine.dialect.name == "postgresql":
        opts["include_name"] = _partitioning_table
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, metadata)
    if engine.dialect.name == "postgresql":
        differences = [diff for diff in differences if not _partitioning(diff)]
    assert differences == []


def test_the_test_database_is_at_the_newest_revision(engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_every_table_of_the_models_exists(engine: Engine) -> None:
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())

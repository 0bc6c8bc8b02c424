"""Throw-away databases for the test suite: SQLite files, or PostgreSQL databases.

``SIPAS_TEST_DATABASE_URL`` names a PostgreSQL server to test against (CI sets it); the
suite then creates a database of its own on that server for each need and drops it after.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.db import create_db_engine
from app.migrate import upgrade

SERVER_URL = os.environ.get("SIPAS_TEST_DATABASE_URL", "")


def backend() -> str:
    return "postgresql" if SERVER_URL else "sqlite"


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """A new, migrated, empty database; its URL. Removed afterwards."""
    if not SERVER_URL:
        url = f"sqlite:///{directory / f'sipas-{secrets.token_hex(4)}.db'}"
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"sipas_test_{secrets.token_hex(6)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def scalar(url: str, statement: SelectOfScalar[Any]) -> int:
    """One number read from the database at ``url`` by a connection of its own (0 for NULL):
    what code that commits for real left behind."""
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            return int(session.exec(statement).one() or 0)
    finally:
        engine.dispose()

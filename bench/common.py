"""Helpers shared by the benchmarks: scratch databases and the environment to run `sipas`."""

import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import create_db_engine
from app.migrate import upgrade
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog

SIPAS = str(Path(sys.executable).with_name("sipas"))


def seeded_sqlite(path: Path) -> str:
    """A migrated SQLite database with the reference data; its URL."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    seed(url)
    return url


def seeded_postgres(server_url: str, name: str) -> str:
    """A new PostgreSQL database ``name`` (dropped first) with the reference data."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    seed(url)
    return url


def seed(url: str) -> None:
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        seed_reference(session, FormCatalog.from_directory())
    engine.dispose()


def sipas_env(url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SIPAS_DATABASE_URL"] = url
    env["SIPAS_SECRET_KEY_FILE"] = str(workdir / "secret")
    return env

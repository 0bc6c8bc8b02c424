"""Helpers shared by the benchmarks: scratch databases and the environment to run `sipas`."""

import os
import sys
from pathlib import Path

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
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        seed_reference(session, FormCatalog.from_directory())
    engine.dispose()
    return url


def sipas_env(url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SIPAS_DATABASE_URL"] = url
    env["SIPAS_SECRET_KEY_FILE"] = str(workdir / "secret")
    return env

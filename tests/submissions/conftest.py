"""A server of the submissions' own, on a database that commits for real: nothing of the
tests' transaction, so requests take the route as a deployed server takes it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import Counter, Unit
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.conftest import TEST_SECRET
from tests.live_server import LiveServer


@pytest.fixture
def site_server(
    scratch_database_url: str, tmp_path: Path, catalog: FormCatalog
) -> Iterator[LiveServer]:
    """The server; its counter "quay-dua" serves the land sector."""
    with serving(scratch_database_url, tmp_path, catalog, rate_limit_per_minute=0) as server:
        yield server


@pytest.fixture
def site(site_server: LiveServer) -> str:
    """The server's address."""
    return site_server.url


@pytest.fixture
def limited_site(scratch_database_url: str, tmp_path: Path, catalog: FormCatalog) -> Iterator[str]:
    """``site`` taking three submissions a minute from a client."""
    with serving(scratch_database_url, tmp_path, catalog, rate_limit_per_minute=3) as server:
        yield server.url


@contextmanager
def serving(
    database_url: str, tmp_path: Path, catalog: FormCatalog, rate_limit_per_minute: int
) -> Iterator[LiveServer]:
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        seed_reference(session, catalog)
        unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
        assert unit_id is not None
        session.add(Counter(unit_id=unit_id, code="Q1", name="Quầy 1", slug="quay-dua",
                            sector_code="land"))  # fmt: skip
        session.commit()
    engine.dispose()
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET,
                        secret_key_file=tmp_path / "secret", report_scheduler=False,
                        rate_limit_per_minute=rate_limit_per_minute)  # fmt: skip
    with LiveServer(create_app(settings)) as server:
        yield server

"""A server of the submissions' own, on a database that commits for real: nothing of the
tests' transaction, so requests take the route as a deployed server takes it."""

from collections.abc import Iterator
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
def site(scratch_database_url: str, tmp_path: Path, catalog: FormCatalog) -> Iterator[str]:
    """The server's address; its counter "quay-dua" serves the land sector."""
    engine = create_db_engine(scratch_database_url)
    with Session(engine) as session:
        seed_reference(session, catalog)
        unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
        assert unit_id is not None
        session.add(Counter(unit_id=unit_id, code="Q1", name="Quầy 1", slug="quay-dua",
                            sector_code="land"))  # fmt: skip
        session.commit()
    engine.dispose()
    settings = Settings(database_url=scratch_database_url, secret_key=TEST_SECRET,
                        secret_key_file=tmp_path / "secret", report_scheduler=False,
                        rate_limit_per_minute=0)  # fmt: skip
    with LiveServer(create_app(settings)) as server:
        yield server.url

"""Requests racing for the same row, against a database that commits for real: each gets
the answer a retry would get (200, 409, 410), never a 500, and one row is stored."""

import uuid
from collections import Counter as Tally
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import Counter, Response, Unit
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.conftest import TEST_SECRET
from tests.databases import scalar
from tests.factories import api_key
from tests.live_server import LiveServer

pytestmark = pytest.mark.load

RACERS = 16


@pytest.fixture
def site(scratch_database_url: str, tmp_path: Path, catalog: FormCatalog) -> Iterator[str]:
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


def race(url: str, bodies: list[dict[str, Any]]) -> Tally[int]:
    with httpx.Client(base_url=url, timeout=60) as client, ThreadPoolExecutor(RACERS) as pool:
        answers = pool.map(lambda body: client.post("/api/v1/responses", json=body), bodies)
        return Tally(answer.status_code for answer in answers)


def submission(slug: str, response_id: str, overall: int) -> dict[str, Any]:
    # No sector: the counter's, or the invitation's procedure's.
    return {"id": response_id, "slug": slug, "form_id": "counter-quick", "form_version": 1,
            "answers": {"overall": overall}}  # fmt: skip


def test_one_id_posted_at_once_with_two_bodies(site: str, scratch_database_url: str) -> None:
    for _ in range(3):
        response_id = str(uuid.uuid4())
        bodies = [submission("quay-dua", response_id, 4 + index % 2) for index in range(RACERS)]
        codes = race(site, bodies)
        assert set(codes) <= {200, 201, 409}, codes
        assert codes[201] == 1
    stored = scalar(scratch_database_url, select(func.count()).select_from(Response))
    assert stored == 3


def test_one_invitation_answered_at_once(
    site: str, scratch_database_url: str, catalog: FormCatalog
) -> None:
    engine = create_db_engine(scratch_database_url)
    with Session(engine) as session:
        headers = api_key(session, "admin")
        session.commit()
    engine.dispose()
    for round_number in range(3):
        invited = httpx.post(
            site + "/api/v1/invitations",
            json={"unit_code": "10507", "procedure_code": "1.001193",
                  "dossier_code": f"HS-{round_number}"},
            headers=headers,
        )  # fmt: skip
        assert invited.status_code == 201, invited.text
        slug = invited.json()["slug"]
        codes = race(site, [submission(slug, str(uuid.uuid4()), 5) for _ in range(12)])
        assert codes == Tally({201: 1, 410: 11}), codes
    stored = scalar(scratch_database_url, select(func.count()).select_from(Response))
    assert stored == 3

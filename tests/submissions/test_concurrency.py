"""Requests racing for the same row, against a database that commits for real: each gets
the answer a retry would get (200, 409, 410), never a 500, and one row is stored."""

import uuid
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from app.db import create_db_engine
from app.models import Response
from app.surveys.forms import FormCatalog
from tests.databases import scalar
from tests.factories import api_key

pytestmark = pytest.mark.load

RACERS = 16


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

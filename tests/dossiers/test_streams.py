"""The random sample's estimate kept apart from the volunteered answers, with the same
weights, the gap between them and the sample's response rates; traceable: the sampled
stream's figures are those of the same estimate over its answers alone."""

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import draw_sample
from app.dossiers.service import import_dossier_file
from app.dossiers.streams import streams
from app.models import Invitation, Response
from app.months import Month
from app.reports.content import build_report
from app.reports.render_html import to_html
from app.stats.query import SatisfactionQuery
from app.stats.service import satisfaction
from app.surveys.forms import FormCatalog
from tests.conftest import CITY
from tests.dashboard.test_dashboard_sessions import key_of, sign_in
from tests.dossiers.test_dossier_import import as_csv, dossier
from tests.factories import api_key, response_record, store

OCTOBER = Month(2026, 10)


@pytest.fixture
def two_streams(
    client: httpx.Client, session: Session, settings: Settings, catalog: FormCatalog,
    frozen_clock: FixedClock,
) -> None:  # fmt: skip
    """Twenty dossiers of ward 10507 drawn on the 9th (all of them: a small frame); twelve
    answer, seven satisfied; forty volunteered answers at counters, thirty-eight satisfied."""
    frozen_clock.moment = datetime(2026, 10, 9, 10, 0, tzinfo=CITY).astimezone(UTC)
    rows = [dossier(f"HS-{i:02d}", SoDienThoai=f"09123456{i:02d}") for i in range(20)]
    import_dossier_file(session, "day.csv", as_csv(rows), load_mapping(), settings, "test")
    draw_sample(session, date(2026, 10, 8), settings, seed=4)
    invited = session.exec(select(Invitation).order_by(col(Invitation.id))).all()
    assert len(invited) == 20
    for number, invitation in enumerate(invited[:12]):
        body = {"id": str(uuid.uuid4()), "slug": invitation.slug, "form_id": "counter-quick",
                "form_version": 1, "answers": {"overall": 5 if number < 7 else 2}}  # fmt: skip
        assert client.post("/api/v1/responses", json=body).status_code == 201
    volunteered = [
        response_record(session, catalog, codes=[("overall", 5 if i < 38 else 1)],
                        at="2026-10-12T09:00:00+07:00")
        for i in range(40)
    ]  # fmt: skip
    store(session, volunteered)


def test_the_streams_side_by_side(
    client: httpx.Client, session: Session, catalog: FormCatalog, two_streams: None
) -> None:
    answer = client.get("/api/v1/dossiers/streams", params={"month": "2026-10"},
                        headers=api_key(session, "analyst"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["sampled"]["n"], found["counter"]["n"]) == (12, 40)
    assert found["sampled"]["rate"] == pytest.approx(7 / 12)
    assert found["counter"]["rate"] == pytest.approx(38 / 40)
    assert found["gap"] == pytest.approx(38 / 40 - 7 / 12)
    assert (found["invited"], found["answered"]) == (20, 12)
    assert found["strata"] == [{"unit": "10507", "sector": "land", "invited": 20,
                                "answered": 12, "response_rate": 0.6}]  # fmt: skip


def test_the_sampled_stream_is_the_estimate_over_its_answers_alone(
    session: Session, catalog: FormCatalog, two_streams: None
) -> None:
    """Every field of the sampled stream's row (weights, variance, interval) equals the
    same estimate over a database that holds only the sample's answers."""
    sampled = streams(session, catalog, OCTOBER)["sampled"]
    with session.begin_nested() as only_the_sample:
        session.exec(delete(Response).where(col(Response.invitation_id).is_(None)))
        query = SatisfactionQuery(date_from=OCTOBER.first_day, date_to=OCTOBER.last_day)
        alone = satisfaction(session, catalog, query).rows[0]
        only_the_sample.rollback()
    assert sampled == alone


def test_the_report_shows_both_streams_and_the_response_rate(
    session: Session, catalog: FormCatalog, two_streams: None
) -> None:
    report = build_report(session, catalog, OCTOBER)
    assert report.streams is not None
    html = to_html(report)
    assert "Mẫu ngẫu nhiên và phiếu tự nguyện" in html
    assert "60,0%" in html  # 12 of 20 answered
    assert "+36,7 điểm %" in html  # 95.0 % volunteered − 58.3 % sampled


def test_the_dashboard_shows_the_sample_beside_the_volunteered_and_766(
    client: httpx.Client, session: Session, two_streams: None
) -> None:
    sign_in(client, key_of(session))
    page = client.get("/dashboard", params={"period": "2026-10"})
    assert page.status_code == 200
    text = page.text
    assert "Mẫu ngẫu nhiên, phiếu tự nguyện và chỉ số 766" in text
    assert "58,3%" in text  # 7 of 12 sampled
    assert "95,0%" in text  # 38 of 40 volunteered
    assert "Tỷ lệ phản hồi 60,0% (12/20)" in text
    assert "Chỉ số Quyết định 766" in text

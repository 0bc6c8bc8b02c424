"""The demo's dossier file, end to end: from the synthetic file a sample is drawn,
invitations go through the local gateway, answers arrive through their links, and the API,
the dashboard and the report show the sampled estimate with its response rate beside the
counter estimate and the Decision 766 figure. A synthetic dossier's invitation never goes
to a gateway off this machine."""

import csv
import random
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection
from sqlmodel import Session, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import draw_due
from app.dossiers.service import import_dossier_file
from app.messaging.local_gateway import LocalGateway
from app.messaging.sender import send_due_messages
from app.models import InvitationMessage
from app.months import Month
from app.reports.content import build_report
from app.reports.render_html import to_html
from app.seeding.demo import seed_demo
from app.seeding.demo_dossiers import demo_dossiers, write_demo_dossiers
from app.surveys.forms import FormCatalog
from tests.conftest import CITY
from tests.dashboard.test_dashboard_sessions import key_of, sign_in
from tests.factories import api_key, page_field
from tests.local_http import serving

OCT_8 = date(2026, 10, 8)


@pytest.fixture(autouse=True)
def morning_of_october_9(frozen_clock: FixedClock) -> None:
    frozen_clock.moment = datetime(2026, 10, 9, 10, 0, tzinfo=CITY).astimezone(UTC)


def sms_through(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"sms_gateway_url": url, "sms_api_key": "demo",
                                       "sms_brandname": "UBND-HP"})  # fmt: skip


def test_the_demo_file_is_synthetic_and_marked_so(session: Session, settings: Settings,
                                                  tmp_path: Path) -> None:  # fmt: skip
    rows = demo_dossiers(session, OCT_8, settings.zone)
    path = tmp_path / "demo.csv"
    write_demo_dossiers(rows, path)
    with path.open(encoding="utf-8") as written:
        read = list(csv.DictReader(written))
    assert len(read) == len(rows) > 1000
    assert all(r["DuLieuMau"] == "1" and r["MaHoSo"].startswith("DEMO-") for r in read)
    assert {r["NgayKetThucXuLy"][:8] for r in read} == {"20261008"}
    assert demo_dossiers(session, OCT_8, settings.zone) == rows  # the same file every time


def test_from_the_demo_file_to_the_sampled_estimate_beside_the_counter_and_766(
    client: httpx.Client, connection: Connection, session: Session, settings: Settings,
    catalog: FormCatalog, frozen_clock: FixedClock, tmp_path: Path,
) -> None:  # fmt: skip
    seed_demo(session, catalog, settings.zone, frozen_clock.now())
    path = tmp_path / "demo-dossiers.csv"
    write_demo_dossiers(demo_dossiers(session, OCT_8, settings.zone), path)
    analyst = api_key(session, "analyst")
    imported = client.post("/api/v1/dossiers", content=path.read_bytes(),
                           headers={**analyst, "Content-Type": "text/csv"})  # fmt: skip
    assert imported.status_code == 200, imported.text
    dossiers = imported.json()["inserted"]

    [draw] = draw_due(session, settings)
    assert (draw.drawn_on, draw.frame_size) == (OCT_8, dossiers)
    gateway = LocalGateway(announce=lambda message: None)
    with serving(gateway.handler()) as base:
        sent = send_due_messages(connection, sms_through(settings, f"{base}/send"))
    assert sent.sent == draw.invited == len(gateway.taken) > 20

    rng = random.Random(9)
    answered = satisfied = 0
    for message in gateway.taken:
        if rng.random() < 0.45:  # who answers
            continue
        page = client.get(message["link"].removeprefix(settings.public_base_url)).text
        overall = 5 if rng.random() < 0.75 else 2
        body = {"id": page_field(page, "response_id"), "slug": message["link"].rsplit("/")[-1],
                "form_id": page_field(page, "form_id"),
                "form_version": int(page_field(page, "form_version")),
                "answers": {"overall": overall}}  # fmt: skip
        stored = client.post("/api/v1/responses", json=body)
        assert stored.status_code == 201, stored.text
        answered += 1
        satisfied += overall >= 4

    both = client.get("/api/v1/dossiers/streams", params={"month": "2026-10"}, headers=analyst)
    assert both.status_code == 200, both.text
    found = both.json()
    assert (found["invited"], found["answered"]) == (draw.invited, answered)
    assert found["sampled"]["n"] == answered
    assert found["counter"]["n"] > 1000  # the demo's volunteered answers
    assert found["gap"] == pytest.approx(found["counter"]["rate"] - found["sampled"]["rate"])
    handling = client.get("/api/v1/dossiers/handling", params={"month": "2026-10"},
                          headers=analyst).json()  # fmt: skip
    assert sum(row["dossiers"] for row in handling["units"]) == dossiers

    sign_in(client, key_of(session))
    page = client.get("/dashboard", params={"period": "2026-10"}).text
    rate = f"{100 * answered / draw.invited:.1f}".replace(".", ",")
    assert f"Tỷ lệ phản hồi {rate}% ({answered}/{draw.invited})" in page
    assert "Chỉ số Quyết định 766" in page
    html = to_html(build_report(session, catalog, Month(2026, 10)))
    assert "Mẫu ngẫu nhiên và phiếu tự nguyện" in html
    assert f"{rate}%" in html


def test_a_synthetic_dossiers_invitation_never_goes_to_a_gateway_elsewhere(
    connection: Connection, session: Session, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "demo.json"
    write_demo_dossiers(demo_dossiers(session, OCT_8, settings.zone)[:40], path)
    with path.open("rb") as content:
        import_dossier_file(session, path.name, content, load_mapping(), settings, "test")
    [draw] = draw_due(session, settings)
    assert draw.invited > 0

    sent = send_due_messages(connection, sms_through(settings, "https://sms.example.vn/send"))

    assert (sent.sent, sent.skipped) == (0, draw.invited)
    reasons = set(session.exec(select(InvitationMessage.last_error)).all())
    assert reasons == {"a synthetic dossier: sent only to a gateway on this machine", None}

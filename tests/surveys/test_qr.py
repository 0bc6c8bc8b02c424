"""QR codes and printable posters for counters."""

import httpx
import pytest
from sqlmodel import Session, select

from app.models import Counter, Unit
from tests.factories import api_key


@pytest.fixture
def counter(session: Session) -> Counter:
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    found = Counter(unit_id=unit_id, code="Q1", name="Quầy số 1", slug="qr-test-slug")
    session.add(found)
    session.flush()
    return found


def test_the_qr_code_comes_as_png_and_svg(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    headers = api_key(session, "unit", ["10507"])
    png = client.get(f"/api/v1/counters/{counter.id}/qr.png", headers=headers)
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/api/v1/counters/{counter.id}/qr.svg", headers=headers)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg")
    assert "<path" in svg.text


def test_another_units_qr_is_forbidden(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    headers = api_key(session, "unit", ["10525"])
    assert client.get(f"/api/v1/counters/{counter.id}/qr.png", headers=headers).status_code == 403
    assert client.get("/api/v1/units/10507/poster.html", headers=headers).status_code == 403


def test_the_served_poster_names_unit_and_counter_and_links_its_stylesheet(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    html = client.get(
        "/api/v1/units/10507/poster.html", params={"size": "a5"}, headers=api_key(session, "admin")
    ).text
    assert "Phường Thành Đông" in html
    assert "Quầy số 1" in html
    assert "Quét mã QR để đánh giá" in html
    assert "https://khaosat.example.vn/s/qr-test-slug" in html
    assert 'class="sheet a5"' in html
    assert '<link rel="stylesheet" href="/static/poster.css">' in html
    assert "<style" not in html  # the strict policy would block it

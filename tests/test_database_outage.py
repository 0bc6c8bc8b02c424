"""PostgreSQL goes away and comes back: 503 with Retry-After meanwhile (never a 500), the
page's queue keeps the answer, and it arrives once when the database is back."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import Response
from bench.common import seed
from bench.page import SLUG, add_counter
from tests.browsers import launch_chromium, skip_without_chromium
from tests.conftest import TEST_SECRET
from tests.databases import SERVER_URL
from tests.live_server import LiveServer
from tests.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        not SERVER_URL, reason="a database outage is a PostgreSQL matter (CI's second run)"
    ),
]


@dataclass(frozen=True)
class Outage:
    url: str
    proxy: TcpProxy
    database_url: str


@pytest.fixture
def outage(scratch_database_url: str, tmp_path: Path) -> Iterator[Outage]:
    """The application reaching its PostgreSQL database through a proxy we can cut."""
    seed(scratch_database_url)
    add_counter(scratch_database_url)
    direct = make_url(scratch_database_url)
    with TcpProxy(direct.host or "127.0.0.1", direct.port or 5432) as proxy:
        through_proxy = direct.set(host="127.0.0.1", port=proxy.port)
        settings = Settings(
            database_url=through_proxy.render_as_string(hide_password=False),
            secret_key=TEST_SECRET, secret_key_file=tmp_path / "secret",
            report_scheduler=False, rate_limit_per_minute=0,
        )  # fmt: skip
        with LiveServer(create_app(settings)) as server:
            yield Outage(server.url, proxy, scratch_database_url)


def body() -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "slug": SLUG, "form_id": "counter-quick",
            "form_version": 1, "sector": "land", "answers": {"overall": 4}}  # fmt: skip


def stored(database_url: str, response_id: str) -> int:
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        found = session.exec(select(Response.id).where(Response.id == uuid.UUID(response_id)))
        count = len(found.all())
    engine.dispose()
    return count


def test_the_api_answers_503_while_the_database_is_away(outage: Outage) -> None:
    sent = body()
    assert httpx.get(f"{outage.url}/healthz").status_code == 200
    outage.proxy.cut()
    health = httpx.get(f"{outage.url}/healthz")
    assert health.status_code == 503
    refused = httpx.post(f"{outage.url}/api/v1/responses", json=sent, timeout=30)
    assert refused.status_code == 503
    assert refused.headers["retry-after"]
    assert "Traceback" not in refused.text
    assert refused.json()["detail"].startswith("the database is unavailable")
    page = httpx.get(f"{outage.url}/s/{SLUG}")
    assert page.status_code == 503
    assert "Hệ thống đang bận" in page.text
    outage.proxy.restore()
    assert httpx.get(f"{outage.url}/healthz").status_code == 200
    again = httpx.post(f"{outage.url}/api/v1/responses", json=sent, timeout=30)
    assert again.status_code == 201
    assert stored(outage.database_url, str(sent["id"])) == 1


def test_the_page_keeps_the_answer_and_sends_it_once_when_the_database_is_back(
    outage: Outage,
) -> None:
    skip_without_chromium()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(base_url=outage.url)
        page.clock.install()
        page.goto(f"/s/{SLUG}")
        response_id = page.locator("input[name=response_id]").input_value()
        page.locator("input[name=overall][value='5']").check()
        page.locator("input[name=sector][value=land]").check()  # asked last, optional
        outage.proxy.cut()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.locator("#queue-status").filter(has_text="Đã lưu — sẽ gửi khi có mạng").wait_for()
        page.clock.run_for(5_000)  # retried while the database is still away
        assert stored(outage.database_url, response_id) == 0
        outage.proxy.restore()
        page.clock.run_for(60_000)  # the backoff's next tries reach the database
        page.wait_for_url("**/cam-on?lang=vi")
        browser.close()
    assert stored(outage.database_url, response_id) == 1

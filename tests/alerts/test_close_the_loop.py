"""The whole loop, as its users meet it: a citizen answers "Rất không hài lòng" at a
counter; the unit's mailbox and the city's webhook each get one alert; the unit's
account sees one new case in Chromium, acknowledges and resolves it; the month's report
shows the unit's time to resolve."""

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser
from sqlalchemy import Connection
from sqlmodel import Session

from app.accounts.service import create_account
from app.clock import FixedClock
from app.config import Settings
from app.months import Month
from app.reports.content import build_report
from app.reports.render_html import to_html
from app.surveys.forms import FormCatalog
from bench.common import free_port
from tests.alerts.builders import answers, deliver, hook_rule, mail_rule
from tests.alerts.receivers import WebhookReceiver, smtp_server
from tests.paths import ARTEFACTS

PASSWORD = "đèn-đỏ-Lạch-Tray"


@pytest.mark.browser
def test_a_dissatisfied_citizen_reaches_the_unit_and_the_follow_up_is_measured(
    client: httpx.Client,
    connection: Connection,
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    admin: dict[str, str],
    counter: object,
    frozen_clock: FixedClock,
    chromium: Browser,
) -> None:
    hook = WebhookReceiver(now=lambda: frozen_clock.now().timestamp())
    with smtp_server() as (smtp_port, mails), hook.serving(free_port()) as url:
        mail_rule(client, admin)
        hook.secret = hook_rule(client, admin, url)
        assert client.post("/api/v1/responses", json=answers(1)).status_code == 201
        frozen_clock.advance(timedelta(seconds=15))
        mailing = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port})
        deliver(connection, catalog, mailing)
    assert len(mails) == 1
    assert [got.signed for got in hook.received] == [True]

    create_account(session, "thanhdong", "unit", ["10507"], PASSWORD, actor="test")
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, base_url=str(client.base_url))
    page.goto("/dashboard")
    page.fill("#username", "thanhdong")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit] >> nth=0")
    page.click("text=Hồ sơ phản hồi")
    page.wait_for_selector("h1:has-text('Hồ sơ phản hồi không hài lòng')")  # the new page
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "Mới" in rows.first.inner_text()
    assert "1 — Rất không hài lòng" in rows.first.inner_text()
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / "cases-list.png", full_page=True)
    rows.first.locator("a").click()
    assert "gọi [đã ẩn]" in page.inner_text("dl.facts")  # the comment, masked
    frozen_clock.advance(timedelta(hours=2))
    page.fill("#note", "Đã gọi điện xin lỗi công dân")
    page.click("button:has-text('Tiếp nhận')")
    assert "Đã tiếp nhận hồ sơ." in page.inner_text("p.done")
    frozen_clock.advance(timedelta(hours=5))  # the same working day: still signed in
    page.fill("#note", "Đã trả kết quả, hẹn lại đúng hạn")
    page.click("button:has-text('Đã giải quyết')")
    assert "Hồ sơ #" in page.inner_text("h1")
    assert "Đã giải quyết" in page.inner_text("h1")
    history = page.inner_text("ol.history")
    assert "user:thanhdong: tiếp nhận" in history
    assert "user:thanhdong: giải quyết" in history
    page.screenshot(path=ARTEFACTS / "case-resolved.png", full_page=True)
    page.click("text=Danh sách hồ sơ")
    assert page.locator("main table").count() == 0  # nothing left open
    page.close()

    report = build_report(session, catalog, Month(2026, 11))
    (row,) = report.follow_up
    assert row["unit"] == "10507"
    assert (row["opened"], row["acknowledged"], row["resolved"]) == (1, 1, 1)
    assert row["median_hours_to_acknowledge"] == pytest.approx(2 + 15 / 3600)
    assert row["median_hours_to_resolve"] == pytest.approx(7 + 15 / 3600)
    assert row["resolved_on_time"] == 1  # within two working days
    html = to_html(report)
    assert "Xử lý phản hồi không hài lòng" in html
    assert "7,0" in html

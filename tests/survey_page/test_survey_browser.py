"""The citizen's page in a real browser: Debian's chromium, headless, on a phone screen.

The application runs on a real uvicorn over a database of its own, as in production:
what the browser sends is committed, and the tests read it back from the database.
"""

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    expect,
    sync_playwright,
)
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import ChoiceAnswer, Counter, Invitation, Response, Unit, utc_now
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.browsers import launch_chromium, skip_without_chromium
from tests.conftest import TEST_SECRET
from tests.databases import fresh_database
from tests.live_server import LiveServer
from tests.paths import ARTEFACTS

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

skip_without_chromium()


def _add_links(session: Session) -> None:
    """Counters for each sector's form, and an online invitation."""
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    counters = {
        "quay-1": None,
        "quay-dat": "land",
        "benh-vien": "health",
        "truong-hoc": "education",
    }
    for slug, sector in counters.items():
        session.add(
            Counter(unit_id=unit_id, code=slug, name=f"Quầy {slug}", slug=slug, sector_code=sector)
        )
    online = Invitation(
        slug="truc-tuyen",
        dossier_hash="0" * 64,
        unit_id=unit_id,
        sector_code="land",
        procedure_code="1.013980",
        channel="online",
        expires_at=utc_now() + timedelta(days=30),
    )
    session.add(online)
    session.commit()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog
) -> Iterator[tuple[LiveServer, Engine]]:
    """The platform on a database of its own, with a link for each of the five forms."""
    with fresh_database(tmp_path_factory.mktemp("browser")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference(session, catalog)
            _add_links(session)
        secret_file = tmp_path_factory.mktemp("secret") / "secret"
        settings = Settings(
            database_url=url,
            secret_key=TEST_SECRET,
            secret_key_file=secret_file,
            report_scheduler=False,
            rate_limit_per_minute=0,
        )
        with LiveServer(create_app(settings)) as server:
            yield server, engine
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        yield launch_chromium(playwright)


@pytest.fixture
def phone(browser: Browser, site: tuple[LiveServer, Engine]) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=site[0].url, locale="vi-VN", **PHONE)  # type: ignore[arg-type]
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Page:
    return phone.new_page()


def stored(site: tuple[LiveServer, Engine], **where: Any) -> list[Response]:
    with Session(site[1]) as session:
        query = select(Response)
        for name, value in where.items():
            query = query.where(getattr(Response, name) == value)
        return list(session.exec(query.order_by(col(Response.submitted_at))))


def response_id(page: Page) -> uuid.UUID:
    return uuid.UUID(page.locator("input[name=response_id]").first.input_value())


def choose(page: Page, question: str, code: int) -> None:
    page.locator(f"input[name={question}][value='{code}']").check()


def answer_every_page(page: Page, code: int = 4) -> None:
    """Answer every likert question of each page with ``code``, then go on or send."""
    while True:
        for name in page.locator("fieldset input[type=radio]").evaluate_all(
            "inputs => [...new Set(inputs.map(i => i.name))]"
        ):
            choose(page, name, 5 if name == "overall" else code)
        button = page.locator(".actions button").first
        last = button.get_attribute("value") == "send"
        button.click()
        if last:
            return
        page.wait_for_load_state()


FORMS = [
    ("/s/quay-dat", "counter-quick", "counter", "land"),
    ("/s/quay-dat?form=sipas-service", "sipas-service", "counter", "land"),
    ("/s/truc-tuyen", "online-service", "online", "land"),
    ("/s/benh-vien", "health-service", "counter", "health"),
    ("/s/truong-hoc", "education-service", "counter", "education"),
]


@pytest.mark.parametrize(("path", "form_id", "channel", "sector"), FORMS)
def test_scan_to_thank_you_for_each_form(
    page: Page, site: tuple[LiveServer, Engine], path: str, form_id: str, channel: str,
    sector: str,
) -> None:  # fmt: skip
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "vi"
    rid = response_id(page)
    answer_every_page(page, code=3)
    page.wait_for_url("**/cam-on?lang=vi")
    assert page.locator("h1").inner_text() == "Cảm ơn Ông/Bà đã đánh giá!"
    (response,) = stored(site, id=rid)
    assert (response.form_id, response.form_version) == (form_id, 1)
    assert (response.channel, response.sector_code) == (channel, sector)
    assert "5" in response.answer_codes  # overall
    assert page.evaluate("localStorage.getItem('sipas.queue')") == "[]"


def test_the_full_form_goes_one_element_per_page_with_a_back_link(
    page: Page, site: tuple[LiveServer, Engine]
) -> None:
    page.goto("/s/quay-dat?form=sipas-service")
    assert page.locator(".step").inner_text() == "Phần 1/7"
    choose(page, "access_info", 2)
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.locator(".step").inner_text() == "Phần 2/7"
    page.get_by_role("button", name="← Quay lại").click()
    assert page.locator(".step").inner_text() == "Phần 1/7"
    assert page.locator("#q-access_info-2").is_checked()  # the answer came back too


def test_keyboard_only(page: Page, site: tuple[LiveServer, Engine]) -> None:
    page.goto("/s/quay-1")
    rid = response_id(page)
    page.keyboard.press("Tab")  # the language switch; no question comes before the survey's
    for _ in range(6):  # five elements and overall: Tab onto the group, Space picks "5"
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "q-overall"
    page.keyboard.press("Enter")  # submits the form from a radio button
    page.wait_for_url("**/cam-on?lang=vi")
    (response,) = stored(site, id=rid)
    assert response.answer_codes == "555555"
    assert response.sector_code == "unknown"  # asked last, optional, skipped


def test_with_javascript_off_the_full_form_works(
    browser: Browser, site: tuple[LiveServer, Engine]
) -> None:
    context = browser.new_context(base_url=site[0].url, java_script_enabled=False, **PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto("/s/benh-vien")
    rid = response_id(page)
    page.get_by_role("button", name="Tiếp tục").click()  # nothing is required on page 1
    answer_every_page(page, code=2)
    page.wait_for_url("**/cam-on?lang=vi")
    (response,) = stored(site, id=rid)
    assert response.form_id == "health-service"
    context.close()


def test_an_error_summary_links_to_each_missing_answer(page: Page) -> None:
    page.goto("/s/quay-1")
    page.get_by_role("button", name="Gửi đánh giá").click()
    summary = page.locator(".error-summary")
    summary.wait_for()  # the server's page, after it refused the queued response
    assert page.title().startswith("Lỗi: ")
    summary.get_by_role("link", name="Xin Ông/Bà chọn một câu trả lời").click()
    assert page.evaluate("document.activeElement.id") == "q-overall"


def test_the_network_cut_during_submit_and_the_response_arrives_once(
    page: Page, phone: BrowserContext, site: tuple[LiveServer, Engine]
) -> None:
    page.goto("/s/quay-dat")
    rid = response_id(page)
    choose(page, "overall", 4)
    phone.set_offline(True)
    page.get_by_role("button", name="Gửi đánh giá").click()
    status = page.locator("#queue-status")
    status.filter(has_text="Đã lưu — sẽ gửi khi có mạng").wait_for()
    box, button = status.bounding_box(), page.get_by_role("button").first.bounding_box()
    assert box is not None
    assert button is not None
    height = PHONE["viewport"]["height"]  # type: ignore[index]
    assert box["y"] >= 0  # in view without scrolling: boxes are relative to the viewport
    assert box["y"] + box["height"] <= height + 1  # a sub-pixel edge is in view
    assert 0 <= box["y"] - (button["y"] + button["height"]) < 60  # right under the button
    page.screenshot(path=str(ARTEFACTS / "phone-saved-offline.png"))
    assert stored(site, id=rid) == []
    assert rid.hex in page.evaluate("localStorage.getItem('sipas.queue')").replace("-", "")
    phone.set_offline(False)  # back online: the queue sends it, then thanks
    page.wait_for_url("**/cam-on?lang=vi")
    assert len(stored(site, id=rid)) == 1
    assert page.evaluate("localStorage.getItem('sipas.queue')") == "[]"


def test_a_lost_acknowledgement_is_retried_and_stored_once(
    page: Page, site: tuple[LiveServer, Engine]
) -> None:
    """The server stores the response but the answer never reaches the phone."""
    acknowledgements_lost: list[bool] = []

    def lose_the_first_answer(route: Route) -> None:
        if not acknowledgements_lost:
            route.fetch()  # the request reaches the server and is stored
            acknowledgements_lost.append(True)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/responses", lose_the_first_answer)
    page.clock.install()
    page.goto("/s/quay-dat")
    rid = response_id(page)
    choose(page, "overall", 5)
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.locator("#queue-status").filter(has_text="Đã lưu").wait_for()
    assert len(stored(site, id=rid)) == 1
    page.clock.run_for(3000)  # the first retry, after two seconds
    page.wait_for_url("**/cam-on?lang=vi")
    assert len(stored(site, id=rid)) == 1


def test_the_language_switch_keeps_the_answers(page: Page) -> None:
    page.goto("/s/quay-dat")
    choose(page, "staff", 2)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("How satisfied")
    assert page.locator("input[name=staff][value='2']").is_checked()


def test_what_to_improve_is_asked_only_of_the_dissatisfied(page: Page) -> None:
    page.goto("/s/quay-dat")
    improve = page.locator("#f-improve")
    assert improve.is_hidden()
    choose(page, "overall", 2)
    assert improve.is_visible()
    choose(page, "overall", 5)
    assert improve.is_hidden()


def test_a_kiosk_returns_to_the_start_after_a_response_and_when_idle(
    page: Page, site: tuple[LiveServer, Engine]
) -> None:
    page.clock.install()
    page.goto("/s/quay-dat?kiosk=1&form=counter-quick")  # the full form, on the kiosk
    first = response_id(page)
    choose(page, "overall", 5)
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_url("**/cam-on?lang=vi&kiosk=1")
    page.clock.run_for(9000)
    page.wait_for_url("**/s/quay-dat?lang=vi&kiosk=1")  # the faces, for the next citizen
    (response,) = stored(site, id=first)
    assert not response.flag_repeat_device  # a kiosk is one device for many people


def test_a_kiosk_full_form_starts_again_when_left_idle(page: Page) -> None:
    page.clock.install()
    page.goto("/s/quay-dat?kiosk=1&form=counter-quick")
    second = response_id(page)
    choose(page, "staff", 3)
    page.clock.run_for(59_000)
    assert page.locator("input[name=staff][value='3']").is_checked()  # not idle yet
    # Another minute without a touch. The browser may deliver the tap's scroll event only
    # now (at 59 s on the page's clock), which counts as a touch: a minute after that,
    # whenever it came, the page is idle.
    page.clock.run_for(61_000)
    # idle: the page starts again, as a new survey (a new page view, a new id)
    expect(page.locator("input[name=response_id]").first).not_to_have_value(
        str(second), timeout=20_000
    )
    expect(page.locator("input[name=staff][value='3']")).not_to_be_checked()


def test_a_second_answer_from_one_phone_within_ten_minutes_is_flagged(
    page: Page, site: tuple[LiveServer, Engine]
) -> None:
    ids = []
    for _ in range(2):
        page.goto("/s/quay-dat")
        ids.append(response_id(page))
        choose(page, "overall", 5)
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.wait_for_url("**/cam-on?lang=vi")
    first, second = (stored(site, id=rid)[0] for rid in ids)
    assert (first.flag_repeat_device, second.flag_repeat_device) == (False, True)
    assert second.excluded
    assert second.device_hash == first.device_hash
    assert "127.0.0.1" not in (second.device_hash or "")


ACCESSIBILITY_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.parametrize(
    "path",
    ["/s/quay-1", "/s/quay-dat?form=sipas-service", "/s/truc-tuyen?lang=en", "/s/quay-dat?kiosk=1"],
)
def test_no_serious_or_critical_accessibility_violations(page: Page, path: str) -> None:
    page.goto(path)
    if page.locator("#q-sector").count():
        page.get_by_role("button").first.click()  # with the error summary showing too
        page.locator(".error-summary").wait_for()
    # Every animation held at its midpoint, where a fading or shifting colour would be furthest off.
    page.evaluate(
        "document.getAnimations().forEach(a => { a.pause();"
        " a.currentTime = a.effect.getComputedTiming().duration / 2; })"
    )
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ACCESSIBILITY_TAGS}}
    results = axe.run(page, options=options).response
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]
    ARTEFACTS.mkdir(exist_ok=True)
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


@pytest.fixture
def tablet(browser: Browser, site: tuple[LiveServer, Engine]) -> Iterator[Page]:
    context = browser.new_context(base_url=site[0].url, locale="vi-VN", **TABLET)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def wait_stored(site: tuple[LiveServer, Engine], response: uuid.UUID) -> Response:
    for _ in range(100):
        found = stored(site, id=response)
        if found:
            return found[0]
        time.sleep(0.05)  # faketime-safe: a plain sleep, never a timed wait
    raise AssertionError(f"response {response} was not stored")


def improve_codes(site: tuple[LiveServer, Engine], response: uuid.UUID) -> list[int]:
    with Session(site[1]) as session:
        rows = session.exec(select(ChoiceAnswer.code).where(ChoiceAnswer.response_id == response))
        return sorted(rows)


def test_a_kiosk_stores_a_response_from_one_tap_and_resets(
    tablet: Page, site: tuple[LiveServer, Engine]
) -> None:
    violations: list[str] = []
    tablet.on("console", lambda m: violations.append(m.text)
              if "Content Security Policy" in m.text else None)  # fmt: skip
    tablet.clock.install()
    tablet.goto("/s/quay-dat?kiosk=1")
    ARTEFACTS.mkdir(exist_ok=True)
    tablet.screenshot(path=str(ARTEFACTS / "kiosk-landscape.png"))
    language = tablet.locator("#lang-switch").bounding_box()
    assert language is not None
    assert language["width"] >= 44
    assert language["height"] >= 44
    first = response_id(tablet)
    tablet.get_by_role("button", name="Rất hài lòng").click()
    expect(tablet.locator("#kiosk-thanks")).to_be_visible()
    response = wait_stored(site, first)
    assert (response.sector_code, response.flag_repeat_device) == ("land", False)
    tablet.clock.run_for(6000)
    tablet.wait_for_url("**/s/quay-dat?lang=vi&kiosk=1")
    assert response_id(tablet) != first
    assert violations == []  # the faces, their script and styles all pass the strict policy


def test_a_dissatisfied_tap_asks_what_to_improve_with_big_buttons(
    tablet: Page, site: tuple[LiveServer, Engine]
) -> None:
    tablet.goto("/s/quay-dat?kiosk=1")
    first = response_id(tablet)
    tablet.get_by_role("button", name="Không hài lòng", exact=True).click()
    expect(tablet.locator("#kiosk-follow-up")).to_be_visible()
    tablet.screenshot(path=str(ARTEFACTS / "kiosk-follow-up.png"))
    wait_stored(site, first)  # stored at the tap, before the follow-up
    tablet.get_by_role("button", name="Thái độ, hướng dẫn của công chức").click()
    expect(tablet.locator("#kiosk-thanks")).to_be_visible()
    for _ in range(100):
        if improve_codes(site, first):
            break
        time.sleep(0.05)
    assert improve_codes(site, first) == [3]


def test_a_kiosk_offline_keeps_the_tap_and_sends_it_when_back(
    tablet: Page, site: tuple[LiveServer, Engine]
) -> None:
    tablet.goto("/s/quay-dat?kiosk=1")
    first = response_id(tablet)
    tablet.context.set_offline(True)
    tablet.get_by_role("button", name="Rất không hài lòng").click()
    tablet.get_by_role("button", name="Thời gian và kết quả giải quyết").click()
    expect(tablet.locator("#kiosk-status")).to_contain_text("Đã lưu trên máy")
    assert stored(site, id=first) == []
    tablet.context.set_offline(False)
    wait_stored(site, first)
    assert improve_codes(site, first) == [4]  # the follow-up rode on the queued response


def test_a_kiosk_in_portrait_and_without_javascript(
    browser: Browser, site: tuple[LiveServer, Engine]
) -> None:
    context = browser.new_context(base_url=site[0].url, java_script_enabled=False,
                                  viewport={"width": 800, "height": 1280})  # fmt: skip
    page = context.new_page()
    page.goto("/s/quay-dat?kiosk=1")
    page.screenshot(path=str(ARTEFACTS / "kiosk-portrait.png"))
    first = response_id(page)
    page.get_by_role("button", name="Bình thường").click()
    expect(page.locator("#kiosk-follow-up")).to_be_visible()  # the server's own page
    wait_stored(site, first)
    page.get_by_role("button", name="Tiếp cận dịch vụ").click()
    page.wait_for_url("**/cam-on?lang=vi&kiosk=1")
    assert improve_codes(site, first) == [1]
    context.close()

"""The analyst's desk: any period, the city → a sector → its units → a unit's criteria and
comments, units shown with their intervals and flagged only when significantly below."""

import re
from html import unescape

import httpx
import pytest
from sqlmodel import Session, select

from app.accounts.service import create_account
from app.dashboard.charts import caterpillar, trend_chart
from app.models import Unit, Volume
from app.surveys.forms import FormCatalog
from tests.dashboard.test_dashboard_sessions import key_of, sign_in
from tests.factories import api_key, response_record, store
from tests.paths import ARTEFACTS

PHONE_IN_COMMENT = "Chờ 3 lần, gọi 0912 345 678 mà không ai nghe"


@pytest.fixture
def october(session: Session, catalog: FormCatalog) -> None:
    """Land in three communes — well below its 90 % target, unclear, and a small sample —
    and justice well above its 95 %."""

    def add(unit: str, sector: str, overall: list[int], comment: str | None = None) -> None:
        records = [
            response_record(session, catalog, unit=unit, sector=sector,
                            codes=(("overall", code), ("staff", code)))
            for code in overall
        ]  # fmt: skip
        if comment:
            records.append(
                response_record(session, catalog, unit=unit, sector=sector, comment=comment,
                                codes=(("overall", 2), ("staff", 1)),
                                at="2026-10-20T09:00:00+07:00")
            )  # fmt: skip
        store(session, records)

    add("10507", "land", [5] * 70 + [2] * 30, comment=PHONE_IN_COMMENT)
    add("10525", "land", [5] * 57 + [3] * 3)
    add("10532", "land", [5] * 10)
    add("10507", "justice", [5] * 199 + [1])
    for unit, sector, dossiers in (("10507", "land", 900), ("10525", "land", 300),
                                   ("10532", "land", 100), ("10507", "justice", 1000)):  # fmt: skip
        unit_id = session.exec(select(Unit.id).where(Unit.code == unit)).one()
        assert unit_id is not None
        session.add(Volume(month="2026-10", unit_id=unit_id, sector_code=sector, dossiers=dossiers))
    session.flush()


@pytest.fixture
def analyst(client: httpx.Client, session: Session) -> httpx.Client:
    sign_in(client, key_of(session))
    return client


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/dashboard\?[^"]+)"', html)]


def test_an_analyst_drills_from_the_city_to_a_units_masked_comments(
    analyst: httpx.Client, session: Session, october: None
) -> None:
    city = analyst.get("/dashboard", params={"period": "2026-10"}).text
    assert "/dashboard?period=2026-10&sector=land" in links(city)
    land = analyst.get("/dashboard?period=2026-10&sector=land").text
    assert "Đất đai · Tháng 10/2026" in text_of(land)
    found = re.findall(r'<g class="bar([^"]*)">\s*<title>([^:]+):', land)
    bars = {name: classes for classes, name in found}
    # 70 % of 100 responses: the whole interval lies below 90 %, so it is flagged.
    assert "below" in bars["Phường Thành Đông"]
    # 95 % of 60: the interval holds the target, so it is not, whatever its place.
    assert "below" not in bars["Phường Hải Dương"]
    # 10 responses compare nothing: in the table, not in the chart.
    assert "Phường Lê Thanh Nghị" not in bars
    assert "1 đơn vị khác có dưới 30 phiếu" in text_of(land)
    assert "Hạng" not in land  # never ranked
    unit = next(link for link in links(land) if "unit=10507" in link)
    assert unit == "/dashboard?period=2026-10&sector=land&unit=10507"
    page = analyst.get(unit).text
    words = text_of(page)
    assert "Phường Thành Đông · Tháng 10/2026" in words
    assert "Theo tiêu chí" in words
    assert "Nhìn chung" in words  # the overall question, by its wording
    assert "0912" not in page
    assert "gọi [đã ẩn] mà không ai nghe" in words
    assert "mức hài lòng chung 2/5" in words


def test_the_dashboards_figures_are_the_apis(
    analyst: httpx.Client, session: Session, october: None
) -> None:
    rows = analyst.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2026-10-01", "to": "2026-10-31", "by": "unit,sector"},
        headers=api_key(session, "analyst"),
    ).json()["rows"]
    (api,) = [r for r in rows if (r["unit"], r["sector"]) == ("10507", "land")]
    page = text_of(analyst.get("/dashboard?period=2026-10&sector=land").text)
    shown = f"{api['rate'] * 100:.1f}%".replace(".", ",")
    low, high = (f"{api[k] * 100:.1f}%".replace(".", ",") for k in ("ci_low", "ci_high"))
    assert f"Phường Thành Đông 101 {shown} {low} – {high} 90,0%" in page
    # The drill-down narrows the design to the unit: the same figure.
    unit_page = text_of(analyst.get("/dashboard?period=2026-10&unit=10507").text)
    assert f"Đất đai 101 {shown} {low} – {high} 90,0%" in unit_page


def test_a_view_is_its_url_for_any_colleague(
    analyst: httpx.Client, session: Session, october: None, server_url: str
) -> None:
    view = "/dashboard?period=2026-Q4&sector=land&unit=10507"
    mine = analyst.get(view).text
    with httpx.Client(base_url=server_url) as colleague:
        sign_in(colleague, key_of(session))
        theirs = colleague.get(view).text
    # The same page but for each session's own CSRF token.
    assert re.sub(r'name="csrf" value="\w+"', "", theirs) == re.sub(
        r'name="csrf" value="\w+"', "", mine
    )
    assert "Phường Thành Đông · Quý IV/2026, đến ngày 26/11/2026" in text_of(mine)


@pytest.mark.parametrize(
    ("params", "heading"),
    [
        ({"period": "2026-10"}, "Tháng 10/2026"),
        ({"month": "2026-10"}, "Tháng 10/2026"),  # links shared before periods came
        ({"period": "2026-Q3"}, "Quý III/2026"),
        ({"period": "2025"}, "Năm 2025"),
        ({"period": "2026"}, "Năm 2026, đến ngày 26/11/2026"),
        ({"from": "2026-10-10", "to": "2026-10-20"}, "Từ 10/10/2026 đến 20/10/2026"),
        ({"from": "2026-11-01", "to": "2027-01-31"}, "Từ 01/11/2026 đến 26/11/2026"),
    ],
)
def test_any_period(analyst: httpx.Client, params: dict[str, str], heading: str) -> None:
    page = analyst.get("/dashboard", params=params)
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"period": "2026-13"}, "không phải là một kỳ"),
        ({"period": "<script>"}, "“<script>” không phải là một kỳ"),
        ({"period": "2030-01"}, "Kỳ 2030-01 chưa đến"),
        ({"period": "1999"}, "Ngày phải nằm trong các năm 2000–2100"),
        ({"from": "2026-10-20", "to": "2026-10-01"}, "Ngày bắt đầu sau ngày kết thúc"),
        ({"from": "2026-10-01"}, "cần cả ngày bắt đầu và ngày kết thúc"),
        ({"from": "hôm qua", "to": "2026-10-01"}, "“hôm qua” không phải là một ngày"),
        ({"sector": "space"}, "Không có lĩnh vực “space”"),
        ({"unit": "99999"}, "Không có đơn vị “99999”"),
    ],
)
def test_what_cannot_be_shown_is_said_on_the_page(
    analyst: httpx.Client, params: dict[str, str], says: str
) -> None:
    page = analyst.get("/dashboard", params=params)
    assert page.status_code == 200
    assert says in text_of(page.text)
    assert "<script>" not in page.text


def test_a_unit_key_drills_only_into_its_own_units(
    client: httpx.Client, session: Session, october: None
) -> None:
    sign_in(client, api_key(session, "unit", ["10525"])["Authorization"].split()[1])
    land = text_of(client.get("/dashboard?period=2026-10&sector=land").text)
    assert "Phường Hải Dương" in land
    assert "Phường Thành Đông" not in land
    other = text_of(client.get("/dashboard?period=2026-10&unit=10507").text)
    assert "Không có đơn vị “10507” trong phạm vi được xem" in other
    assert "0912" not in other


def test_axes_start_near_the_data_and_mark_the_target() -> None:
    rows = [
        {"rate": 0.93, "ci_low": 0.91, "ci_high": 0.95, "target": 0.9, "status": "met",
         "small_sample": False, "n": 400},
        {"rate": 0.70, "ci_low": 0.61, "ci_high": 0.78, "target": 0.9, "status": "not_met",
         "small_sample": False, "n": 100},
        {"rate": 1.0, "ci_low": 0.3, "ci_high": 1.0, "target": 0.9, "status": "inconclusive",
         "small_sample": True, "n": 3},
    ]  # fmt: skip
    chart = caterpillar([(str(i), None, row) for i, row in enumerate(rows)])
    assert chart is not None
    assert chart.axis.low == 0.6  # below the lowest interval that compares, not 0
    met, below, small = chart.bars
    assert (met.below, below.below, small.below) == (False, True, False)
    assert small.cut  # a small sample's interval is cut at the axis
    assert not below.cut
    assert met.target_x == chart.axis.x(0.9)
    assert caterpillar([("x", None, {"rate": None})]) is None
    trend = trend_chart([{"month": f"2026-{m:02d}", **rows[0]} for m in range(1, 13)])
    assert trend is not None
    assert trend.target_y is not None
    assert trend.ticks[0][1] == "85 %"


@pytest.fixture
def server_url(client: httpx.Client) -> str:
    return str(client.base_url)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("device", "width", "height"), [("laptop", 1366, 768), ("tablet", 820, 1180)]
)
def test_the_drill_down_in_a_browser(
    chromium: object, server_url: str, session: Session, october: None,
    device: str, width: int, height: int,
) -> None:  # fmt: skip
    from playwright.sync_api import Browser

    assert isinstance(chromium, Browser)
    page = chromium.new_page(viewport={"width": width, "height": height}, base_url=server_url)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    create_account(session, "lan", "analyst", (), "đèn-đỏ-Lạch-Tray", actor="test")
    page.goto("/dashboard")
    page.fill("#username", "lan")
    page.fill("#password", "đèn-đỏ-Lạch-Tray")
    page.click("form.stacked button[type=submit] >> nth=0")
    page.select_option("#period", "2026-10")
    page.click("form.period button >> nth=0")
    page.click("svg.caterpillar a >> text=Đất đai")
    page.click("svg.caterpillar a >> text=Phường Thành Đông")
    assert "unit=10507" in page.url
    page.wait_for_selector("#s-comments")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"dashboard-unit-{device}.png", full_page=True)
    page.goto("/dashboard?period=2026-10&sector=land")
    page.screenshot(path=ARTEFACTS / f"dashboard-sector-{device}.png", full_page=True)
    assert problems == []  # nothing refused by the CSP, nothing missing
    page.close()

"""The monthly report: its figures are the analytics API's, to the last digit; it is made
on schedule once, caught up when missed, and versioned, never changed."""

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import Report
from app.months import Month
from app.reports import service as report_service
from app.reports.schedule import run_due
from app.reports.wording import percent
from app.seeding.demo import seed_demo
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.browsers import launch_chromium, skip_without_chromium
from tests.conftest import TEST_SECRET
from tests.databases import fresh_database
from tests.factories import api_key, response_record, store
from tests.live_server import LiveServer
from tests.paths import ARTEFACTS

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_NOW = datetime(2026, 11, 26, 17, 30, tzinfo=ZONE)  # the demo: 2026-06 … 26 Nov 2026
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@dataclass(frozen=True)
class Site:
    url: str
    engine: Engine
    analyst: dict[str, str]
    unit: dict[str, str]
    admin: dict[str, str]


HOSTILE = '=HYPERLINK("http://evil.example","x") <b>gọi 0912 345 678</b>'
# Stored before the platform cleaned text, or written outside it: no format may choke on it.
UNCLEAN = "Chậm\u000b trễ\r=cmd|' /C calc'!A0\x1f"


def _add_hostile_comment(session: Session, catalog: FormCatalog) -> None:
    """The latest dissatisfied comment of October: a formula, markup and a phone number."""
    store(session, [
        response_record(session, catalog, channel="paper", codes=(("overall", 1),),
                        comment=text, at=at)
        for text, at in ((HOSTILE, "2026-10-31T23:59:00+07:00"),
                         (UNCLEAN, "2026-10-31T23:58:00+07:00"))
    ])  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog) -> Iterator[Site]:
    """The platform over six months of demo data, committed for real."""
    with fresh_database(tmp_path_factory.mktemp("reports")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference(session, catalog)
            seed_demo(session, catalog, ZONE, DEMO_NOW)
            _add_hostile_comment(session, catalog)
            analyst, unit = api_key(session, "analyst"), api_key(session, "unit", ["10507"])
            admin = api_key(session, "admin")
            session.commit()
        settings = Settings(
            database_url=url,
            secret_key=TEST_SECRET,
            secret_key_file=tmp_path_factory.mktemp("secret") / "secret",
            report_scheduler=False,
            rate_limit_per_minute=0,
        )
        with LiveServer(create_app(settings)) as server:
            yield Site(server.url, engine, analyst, unit, admin)
        engine.dispose()


@pytest.fixture(scope="module")
def http(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, headers=site.analyst, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def october(http: httpx.Client) -> dict[str, Any]:
    made = http.post("/api/v1/reports", json={"month": "2026-10"})
    assert made.status_code == 201, made.text
    return dict(made.json())


def api_rows(http: httpx.Client, by: str = "", indicator: str = "overall") -> list[dict[str, Any]]:
    found = http.get("/api/v1/analytics/satisfaction",
                     params={**OCTOBER, "by": by, "indicator": indicator})  # fmt: skip
    assert found.status_code == 200, found.text
    rows: list[dict[str, Any]] = found.json()["rows"]
    return rows


def stored(value: float | None) -> float | None:
    """A float as a workbook holds it: openpyxl writes 16 significant digits (Excel shows
    15), so the last of Python's 17 may round."""
    return None if value is None else float(f"{value:.16g}")


def sheet_rows(workbook: Any, title: str) -> list[dict[str, Any]]:
    sheet = workbook[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_every_figure_of_the_workbook_is_the_apis(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    download = http.get(october["links"]["xlsx"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.content))
    assert workbook.sheetnames[-1] == "Phương pháp"
    sectors = {row["Mã"]: row for row in sheet_rows(workbook, "Theo lĩnh vực")}
    for row in api_rows(http, "sector"):
        mine = sectors[row["sector"]]
        assert (mine["Số phiếu"], mine["Tỷ lệ hài lòng"]) == (row["n"], stored(row["rate"]))
        assert (mine["Cận dưới KTC"], mine["Cận trên KTC"]) == (
            stored(row["ci_low"]), stored(row["ci_high"]),
        )  # fmt: skip
        assert mine["Chỉ tiêu"] == row["target"]
    units = {row["Mã"]: row for row in sheet_rows(workbook, "Theo đơn vị")}
    for row in api_rows(http, "unit"):
        assert (units[row["unit"]]["Tỷ lệ hài lòng"], units[row["unit"]]["Số phiếu"]) == (
            stored(row["rate"]), row["n"],
        )  # fmt: skip
    targets = http.get("/api/v1/analytics/targets", params=OCTOBER).json()["rows"]
    plan = {row["Mã"]: row for row in sheet_rows(workbook, "Chỉ tiêu của Kế hoạch")}
    for row in targets:
        assert plan[row["indicator"]]["Tỷ lệ hài lòng"] == stored(row["rate"])
        assert plan[row["indicator"]]["Cận dưới KTC"] == stored(row["ci_low"])
    elements = {row["Mã"]: row for row in sheet_rows(workbook, "Năm yếu tố")}
    staff = api_rows(http, indicator="staff")[0]["rate"]
    assert elements["staff"]["Tỷ lệ hài lòng"] == stored(staff)
    percent_cell = workbook["Theo lĩnh vực"]["D2"]
    assert percent_cell.number_format == "0.0%"
    assert isinstance(percent_cell.value, float)


def test_every_figure_of_the_page_is_the_apis(http: httpx.Client, october: dict[str, Any]) -> None:
    page = http.get(october["links"]["html"])
    assert page.status_code == 200
    html = page.text
    assert "Báo cáo mức độ hài lòng tháng 10/2026" in html
    for row in api_rows(http, "sector"):
        if row["rate"] is not None:
            cells = f'<td class="num">{percent(row["rate"], "vi")}</td>'
            assert cells in html, row["sector"]
    for row in http.get("/api/v1/analytics/targets", params=OCTOBER).json()["rows"]:
        assert f'<p class="card-rate">{percent(row["rate"], "vi")}</p>' in html
    assert html.count('src="data:image/svg+xml;base64,') == 1 + 10  # sectors, 10 trends
    assert "Phương pháp" in html
    comments = html.split('id="s-comments"')[1].split("</section>")[0]
    assert "[đã ẩn]" in comments  # the phone number of the hostile comment, masked
    assert "@" not in comments
    assert "0912" not in comments


def test_the_csv_has_the_main_tables(http: httpx.Client, october: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(http.get(october["links"]["csv"]).text)))
    assert {row["table"] for row in rows} >= {"targets", "sectors", "units", "elements"}
    land = next(row for row in rows if row["table"] == "sectors" and row["sector"] == "land")
    api_land = next(row for row in api_rows(http, "sector") if row["sector"] == "land")
    assert float(land["rate"]) == api_land["rate"]


def test_regenerating_makes_a_new_version_and_the_old_one_stays(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    first = http.get(october["links"]["xlsx"]).content
    again = http.post("/api/v1/reports", json={"month": "2026-10"})
    assert again.status_code == 201
    assert again.json()["version"] == october["version"] + 1
    assert http.get(october["links"]["xlsx"]).content == first
    listed = http.get("/api/v1/reports").json()["reports"]
    assert [r["version"] for r in listed if r["month"] == "2026-10"][:2] == [2, 1]


def test_a_unit_key_gets_its_units_report(site: Site, october: dict[str, Any]) -> None:
    page = httpx.get(f"{site.url}/api/v1/reports/2026-10.html", headers=site.unit, timeout=120)
    assert page.status_code == 200
    units = page.text.split('id="s-units"')[1].split("</section>")[0]
    assert "Phường Thành Đông" in units
    assert "Phường Hồng Bàng" not in units


def test_a_unit_key_gets_the_versions_figures_while_its_data_stands(
    site: Site, http: httpx.Client, catalog: FormCatalog
) -> None:
    made = http.post("/api/v1/reports", json={"month": "2026-07"}).json()
    link = f"{site.url}/api/v1/reports/2026-07.html?version={made['version']}"
    before = httpx.get(link, headers=site.unit, timeout=120).text
    assert 'class="notice"' not in before.split('id="s-summary"')[0]
    with Session(site.engine) as session:  # July changes after the version was made
        store(
            session,
            [
                response_record(
                    session,
                    catalog,
                    channel="paper",
                    codes=(("overall", 1),),
                    at="2026-07-20T10:00:00+07:00",
                )
            ],
        )
        session.commit()
    after = httpx.get(link, headers=site.unit, timeout=120).text
    assert "dữ liệu của kỳ báo cáo đã thay đổi sau khi phiên bản này được lập" in after
    units = after.split('id="s-units"')[1].split("</section>")[0]
    assert "Phường Thành Đông" in units
    assert "Phường Hồng Bàng" not in units


def test_bad_months_and_missing_reports(http: httpx.Client) -> None:
    assert http.post("/api/v1/reports", json={"month": "2026-13"}).status_code == 422
    assert http.get("/api/v1/reports/2025-01.html").status_code == 404
    assert http.get("/api/v1/reports/oct.html").status_code == 422
    assert httpx.get(f"{http.base_url}/api/v1/reports").status_code == 401


def test_the_page_renders_in_chromium_and_prints_on_a4(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    skip_without_chromium()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(
            base_url=str(http.base_url), extra_http_headers=dict(http.headers),
            viewport={"width": 794, "height": 1123},  # A4 at 96 dpi
        )  # fmt: skip
        page = context.new_page()
        page.goto(october["links"]["html"])
        assert page.locator("h1").inner_text() == "Báo cáo mức độ hài lòng tháng 10/2026"
        charts = page.locator("img.chart, .small-multiples img")
        assert charts.count() == 11
        assert all(charts.nth(i).evaluate("i => i.naturalWidth > 0") for i in range(11))
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "report-2026-10-page1.png"))
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        browser.close()


@pytest.fixture
def demo_engine(scratch_database_url: str, catalog: FormCatalog) -> Iterator[Engine]:
    """A database of the test's own with the demo's six months, committed for real."""
    engine = create_db_engine(scratch_database_url)
    with Session(engine) as session:
        seed_reference(session, catalog)
        seed_demo(session, catalog, ZONE, DEMO_NOW)
    yield engine
    engine.dispose()


def test_the_due_report_is_made_once_at_six_on_the_first(
    demo_engine: Engine, catalog: FormCatalog
) -> None:
    engine = demo_engine
    before_six = datetime(2026, 12, 1, 5, 59, tzinfo=ZONE)
    made = run_due(engine, catalog, ZONE, now=before_six)
    assert [r.month for r in made] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    at_six = datetime(2026, 12, 1, 6, 0, tzinfo=ZONE).astimezone(UTC)
    assert [r.month for r in run_due(engine, catalog, ZONE, now=at_six)] == ["2026-11"]
    assert run_due(engine, catalog, ZONE, now=at_six) == []
    # A month missed while the platform was down is caught up on the next run.
    in_february = datetime(2027, 2, 3, 9, tzinfo=ZONE)
    assert [r.month for r in run_due(engine, catalog, ZONE, now=in_february)] == [
        "2026-12", "2027-01",
    ]  # fmt: skip


def test_two_schedulers_racing_make_one_report(
    demo_engine: Engine, scratch_database_url: str, catalog: FormCatalog
) -> None:
    engine = demo_engine
    replicas = [create_db_engine(scratch_database_url) for _ in range(2)]
    now = datetime(2026, 11, 1, 6, 30, tzinfo=ZONE)  # October is due; June … September too
    start = threading.Barrier(2)

    def replica(engine: Engine) -> None:
        start.wait()
        run_due(engine, catalog, ZONE, now=now)

    threads = [threading.Thread(target=replica, args=(e,)) for e in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        reports = session.exec(select(Report).order_by(col(Report.month))).all()
    assert [(r.month, r.version, r.status) for r in reports] == [
        (month, 1, "done") for month in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
    ]
    for replica_engine in replicas:
        replica_engine.dispose()


def test_a_failure_is_recorded_and_retried(
    demo_engine: Engine, catalog: FormCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = demo_engine
    real_render = report_service.render

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_service, "render", broken)
    now = datetime(2026, 11, 1, 7, tzinfo=ZONE)
    assert run_due(engine, catalog, ZONE, now=now) == []
    monkeypatch.setattr(report_service, "render", real_render)
    retried = run_due(engine, catalog, ZONE, now=now)
    assert {r.month for r in retried} == {"2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
    with Session(engine) as session:
        october = session.exec(
            select(Report).where(Report.month == "2026-10").order_by(col(Report.version))
        ).all()
    assert [(r.version, r.status) for r in october] == [(1, "failed"), (2, "done")]
    assert october[0].error is not None
    assert "disk full" in october[0].error
    assert Month.parse("2026-10").last_day == date(2026, 10, 31)


def test_the_dashboard_signs_in_with_a_key_and_shows_the_month(
    site: Site, october: dict[str, Any]
) -> None:
    key = site.analyst["Authorization"].removeprefix("Bearer ")
    with httpx.Client(base_url=site.url, timeout=120) as browser:
        assert "Khóa API" in browser.get("/dashboard").text
        refused = browser.post("/dashboard/login", data={"api_key": "sipas_wrong_key"})
        assert refused.status_code == 401
        assert "Khóa API không đúng hoặc đã bị thu hồi" in refused.text
        signed_in = browser.post("/dashboard/login", data={"api_key": key})
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert key not in cookie
        page = browser.get("/dashboard")
        assert "Chỉ tiêu của Kế hoạch" in page.text
        assert "Áp phích mã QR" in page.text
        assert "/api/v1/reports/2026-10.xlsx?version=1" in page.text
        # The session reads reports and posters; it never writes.
        assert browser.get(october["links"]["csv"]).status_code == 200
        assert browser.get("/api/v1/units/10507/poster.html").status_code == 200
        assert browser.post("/api/v1/reports", json={"month": "2026-09"}).status_code == 401
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        browser.post("/dashboard/logout", data={"csrf": csrf.group(1)})
        assert "Khóa API" in browser.get("/dashboard").text


def test_a_hostile_comment_is_masked_escaped_and_never_a_formula(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    workbook = load_workbook(io.BytesIO(http.get(october["links"]["xlsx"]).content))
    cells = [cell.value for row in workbook["Tóm tắt"].iter_rows() for cell in row]
    (comment,) = [c for c in cells if isinstance(c, str) and "HYPERLINK" in c]
    assert comment.startswith("'=")  # text, not a formula
    assert "0912" not in comment
    assert "[đã ẩn]" in comment
    html = http.get(october["links"]["html"]).text
    assert "&lt;b&gt;gọi [đã ẩn]&lt;/b&gt;" in html
    assert "<b>gọi" not in html


def test_a_comment_with_control_characters_never_stops_a_format(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    assert october["status"] == "done"
    assert october["error"] is None
    workbook = load_workbook(io.BytesIO(http.get(october["links"]["xlsx"]).content))
    cells = [cell.value for row in workbook["Tóm tắt"].iter_rows() for cell in row]
    assert "Chậm  trễ\n=cmd|' /C calc'!A0" in cells
    rows = list(csv.reader(io.StringIO(http.get(october["links"]["csv"]).text)))
    assert len({len(row) for row in rows}) == 1  # no row split by a bare CR
    assert "Chậm  trễ" in http.get(october["links"]["html"]).text


def test_a_format_that_fails_leaves_the_others_and_tells_only_admins_why(
    site: Site, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a comment quoted here")

    monkeypatch.setitem(report_service.RENDERERS, "xlsx", broken)
    made = http.post("/api/v1/reports", json={"month": "2026-09"})
    assert made.status_code == 201, made.text
    version = made.json()["version"]
    assert made.json()["status"] == "done"
    query = f"?version={version}"
    assert http.get(f"/api/v1/reports/2026-09.html{query}").status_code == 200
    assert http.get(f"/api/v1/reports/2026-09.csv{query}").status_code == 200
    missing = http.get(f"/api/v1/reports/2026-09.xlsx{query}")
    assert missing.status_code == 404
    assert "quoted" not in missing.text

    def listed(headers: dict[str, str]) -> dict[str, Any]:
        reports = httpx.get(site.url + "/api/v1/reports", headers=headers).json()["reports"]
        (found,) = [r for r in reports if (r["month"], r["version"]) == ("2026-09", version)]
        return dict(found)

    assert listed(site.analyst)["error"] is None
    assert listed(site.unit)["error"] is None
    assert "xlsx: ValueError('a comment quoted here')" in listed(site.admin)["error"]
    # Once the renderer works again, the format is made from the version's stored figures.
    monkeypatch.undo()
    assert http.get(f"/api/v1/reports/2026-09.xlsx{query}").status_code == 200


def numbers(text: str) -> list[float]:
    """Every number of a report CSV, in order (the words differ between languages)."""
    found = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            try:
                found.append(float(cell))
            except ValueError:
                continue
    return found


def test_a_version_is_the_same_figures_in_every_language_and_format(
    site: Site, http: httpx.Client, catalog: FormCatalog
) -> None:
    made = http.post("/api/v1/reports", json={"month": "2026-08"}).json()
    version = f"?version={made['version']}"
    before = http.get(f"/api/v1/reports/2026-08.csv{version}").text
    # August changes after the version was made: thirty more dissatisfied citizens.
    with Session(site.engine) as session:
        late = [
            response_record(session, catalog, channel="paper", codes=(("overall", 1),),
                            at="2026-08-20T10:00:00+07:00")
            for _ in range(30)
        ]  # fmt: skip
        store(session, late)
        session.commit()
    english = http.get(f"/api/v1/reports/2026-08.csv{version}&lang=en").text
    assert english != before  # its words are English …
    assert numbers(english) == numbers(before)  # … its figures the version's
    today = http.get("/api/v1/reports/2026-08.csv?lang=en", params={"version": made["version"]})
    assert numbers(today.text) == numbers(before)
    again = http.post("/api/v1/reports", json={"month": "2026-08"}).json()
    rebuilt = http.get(f"/api/v1/reports/2026-08.csv?version={again['version']}").text
    assert numbers(rebuilt) != numbers(before)  # a new version sees the late responses


def test_the_report_as_pdf_carries_the_official_header(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    import pypdfium2

    answer = http.get(october["links"]["html"].replace(".html", ".pdf"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(answer.content)
    first = " ".join(document[0].get_textpage().get_text_range().split())
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "report-2026-10.pdf").write_bytes(answer.content)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "SỞ NỘI VỤ", "Số:", "Báo cáo mức độ hài lòng tháng 10/2026"):  # fmt: skip
        assert words in first, words
    # The day the version was made (module fixtures run before the suite's clock is set).
    assert re.search(r"Hải Phòng, ngày \d\d tháng \d\d năm \d{4}", first)
    last = document[len(document) - 1].get_textpage().get_text_range()
    assert "NGƯỜI KÝ" in last
    document.close()
    english = http.get(october["links"]["html"].replace(".html", ".pdf") + "&lang=en")
    assert english.status_code == 200
    in_english = pypdfium2.PdfDocument(english.content)
    assert "SOCIALIST REPUBLIC OF VIET NAM" in in_english[0].get_textpage().get_text_range()
    in_english.close()


def test_files_for_excel_users_keep_vietnamese_and_fit_their_columns(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    plain = http.get(october["links"]["csv"])
    assert not plain.content.startswith(b"\xef\xbb\xbf")  # machines get plain UTF-8
    excel_csv = {"format": "csv", "bom": "true"}
    for path, params in (
        (october["links"]["csv"], {"bom": "true"}),
        ("/api/v1/analytics/satisfaction", {**OCTOBER, **excel_csv, "by": "sector"}),
        ("/api/v1/responses", {**OCTOBER, **excel_csv}),
    ):
        excel = http.get(path, params=params)
        assert excel.content.startswith(b"\xef\xbb\xbf"), path
        assert excel.content[3:].decode("utf-8") == excel.text.lstrip("\ufeff")
    workbook = load_workbook(io.BytesIO(http.get(october["links"]["xlsx"]).content))
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    assert "Phiền hà, chi phí" in workbook.sheetnames  # a name chosen to fit, not cut
    sectors = workbook["Theo lĩnh vực"]
    assert sectors.column_dimensions["B"].width >= len("Tư pháp – hộ tịch")


def test_each_table_as_its_own_csv_for_a_spreadsheet(
    http: httpx.Client, october: dict[str, Any]
) -> None:
    answer = http.get(october["links"]["html"].replace(".html", ".zip"))
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.namelist()[:3] == ["01-targets.csv", "02-sectors.csv", "03-units.csv"]
    files = {name: archive.read(name) for name in archive.namelist()}
    assert all(raw.startswith(b"\xef\xbb\xbf") for raw in files.values())  # Excel's BOM
    sectors = list(csv.DictReader(io.StringIO(files["02-sectors.csv"].decode("utf-8-sig"))))
    land = next(row for row in sectors if row["Mã"] == "land")
    assert land["Lĩnh vực"] == "Đất đai"  # the name beside the code
    api = next(row for row in api_rows(http, "sector") if row["sector"] == "land")
    assert float(land["Tỷ lệ hài lòng"]) == api["rate"]  # exact …
    assert land["Tỷ lệ hài lòng (hiển thị)"] == percent(api["rate"], "vi")  # … and as shown
    units = list(csv.DictReader(io.StringIO(files["03-units.csv"].decode("utf-8-sig"))))
    assert {row["Mẫu nhỏ"] for row in units} <= {"có", "không"}
    assert http.get(october["links"]["html"].replace(".html", ".zip")).content == answer.content


def test_a_downloaded_report_keeps_its_look_from_disk_and_speaks_vietnamese(
    http: httpx.Client, october: dict[str, Any], tmp_path: Path
) -> None:
    answer = http.get(october["links"]["html"], params={"download": "true"})
    assert answer.headers["content-disposition"].startswith("attachment;")
    html = answer.text
    assert "/static/" not in html  # nothing to fetch from the server
    assert "<style>" in html
    assert "poststratified" not in html  # the method in words, in Vietnamese
    assert "hậu phân tầng" in html
    skip_without_chromium()
    saved = tmp_path / "report.html"
    saved.write_text(html, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(saved.as_uri())
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        page.screenshot(path=str(ARTEFACTS / "report-from-disk.png"))
        browser.close()
    assert "DejaVu Sans" in font  # the stylesheet applied, from inside the file

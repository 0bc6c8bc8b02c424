"""Posters for the counters: a print-ready PDF made on the server, and HTML posters that
print right under the app's strict Content-Security-Policy. The QR codes are read back
from the printed pages, as a phone would read them."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.cli import main
from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.models import Counter, Unit
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.browsers import launch_chromium, skip_without_chromium
from tests.conftest import TEST_SECRET
from tests.databases import fresh_database
from tests.factories import api_key
from tests.live_server import LiveServer
from tests.paths import ARTEFACTS

pytestmark = pytest.mark.browser

BASE = "https://khaosat.haiphong.example.vn"
COUNTERS = {"poster-dat": "Quầy 1 – Đất đai", "poster-tp": "Quầy 2 – Tư pháp, hộ tịch",
            "poster-xd": "Quầy 3 – Xây dựng, quy hoạch và các thủ tục hành chính khác"}  # fmt: skip
DPI = 200
PAGE_MM = {"a4": (210, 297), "a5": (148, 210)}


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog
) -> Iterator[dict[str, str]]:
    with fresh_database(tmp_path_factory.mktemp("posters")) as url:
        engine: Engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference(session, catalog)
            unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
            assert unit_id is not None
            for index, (slug, name) in enumerate(COUNTERS.items()):
                session.add(Counter(unit_id=unit_id, code=f"Q{index + 1}", name=name, slug=slug))
            headers = api_key(session, "admin")
            session.commit()
        engine.dispose()
        settings = Settings(database_url=url, secret_key=TEST_SECRET, public_base_url=BASE,
                            secret_key_file=tmp_path_factory.mktemp("s") / "secret",
                            report_scheduler=False, rate_limit_per_minute=0)  # fmt: skip
        with LiveServer(create_app(settings)) as server:
            yield {"url": server.url, **headers}


def read_pages(pdf: bytes, name: str) -> list[tuple[tuple[float, float], str, float]]:
    """Each page's size in mm, the QR code's text and its printed width in mm."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for index, page in enumerate(document):
        width, height = page.get_size()  # points
        image = page.render(scale=DPI / 72).to_pil()
        if index == 0:
            ARTEFACTS.mkdir(exist_ok=True)
            image.save(ARTEFACTS / f"{name}-page1.png")
        (code,) = zxingcpp.read_barcodes(image)
        corners = code.position
        side_px = abs(corners.top_right.x - corners.top_left.x)
        pages.append(((width / 72 * 25.4, height / 72 * 25.4), code.text, side_px / DPI * 25.4))
    return pages


@pytest.mark.parametrize(("size", "smallest_qr_mm"), [("a4", 80), ("a5", 60)])
def test_the_pdf_has_one_page_per_counter_and_a_qr_that_decodes_to_it(
    site: dict[str, str], size: str, smallest_qr_mm: float
) -> None:
    answer = httpx.get(f"{site['url']}/api/v1/units/10507/posters.pdf", params={"size": size},
                       headers={"Authorization": site["Authorization"]})  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    pages = read_pages(answer.content, f"poster-{size}")
    assert [text for _, text, _ in pages] == [f"{BASE}/s/{slug}" for slug in COUNTERS]
    for (width, height), _, qr_mm in pages:
        assert (round(width), round(height)) == PAGE_MM[size]
        # zxing measures the finder patterns' outer corners: the code without its quiet zone
        assert qr_mm >= smallest_qr_mm


def test_a_unit_without_counters_or_unknown_gets_a_clear_404(site: dict[str, str]) -> None:
    headers = {"Authorization": site["Authorization"]}
    empty = httpx.get(f"{site['url']}/api/v1/units/10525/posters.pdf", headers=headers)
    assert empty.status_code == 404
    assert "has no active counter yet" in empty.json()["detail"]
    unknown = httpx.get(f"{site['url']}/api/v1/units/nope/posters.pdf", headers=headers)
    assert unknown.status_code == 404


def test_served_posters_print_right_in_chromium_under_the_strict_policy(
    site: dict[str, str],
) -> None:
    skip_without_chromium()
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(extra_http_headers={"Authorization": site["Authorization"]})
        page = context.new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)  # fmt: skip
        page.goto(f"{site['url']}/api/v1/units/10507/poster.html?size=a4")
        page.screenshot(path=str(ARTEFACTS / "poster-html-a4.png"), full_page=True)
        printed = page.pdf(prefer_css_page_size=True, print_background=True)
        browser.close()
    assert violations == []
    pages = read_pages(printed, "poster-html-printed-a4")
    assert [text for _, text, _ in pages] == [f"{BASE}/s/{slug}" for slug in COUNTERS]
    for (width, height), _, qr_mm in pages:
        assert (round(width), round(height)) == (210, 297)
        assert qr_mm >= 80


def test_sipas_qr_poster_writes_a_pdf_or_a_standalone_html(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    counters = tmp_path / "counters.csv"
    counters.write_text("unit_code,code,name\n10507,Q1,Quầy 1\n10507,Q2,Quầy 2\n", encoding="utf-8")
    assert main(["import", "counters", str(counters)]) == 0
    pdf = tmp_path / "posters.pdf"
    assert main(["qr", "poster", "--unit", "10507", "--out", str(pdf), "--size", "a5"]) == 0
    assert len(pypdfium2.PdfDocument(pdf.read_bytes())) == 2
    html = tmp_path / "posters.html"
    assert main(["qr", "poster", "--unit", "10507", "--out", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert text.count('class="sheet a4"') == 2
    assert "@page a4" in text  # the file carries its stylesheet: it is opened from disk
    assert main(["qr", "poster", "--unit", "10525", "--out", str(pdf)]) == 1
    assert "has no active counter yet" in capsys.readouterr().err

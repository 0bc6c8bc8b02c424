"""The Decision 766 figure from the dossiers, beside the survey's rate, per unit and month:
each number traceable to its definition."""

import io
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.service import import_dossier_file
from app.months import Month
from app.reports.content import build_report
from app.reports.render_html import to_html
from app.surveys.forms import FormCatalog
from tests.conftest import CITY
from tests.dossiers.test_dossier_import import as_csv, dossier
from tests.factories import api_key, response_record, store


@pytest.fixture
def october(session: Session, settings: Settings, catalog: FormCatalog,
            frozen_clock: FixedClock) -> None:  # fmt: skip
    """Ward 10507's October: four dossiers (one late, one with a complaint, one disliked,
    one handled well: 766 = 1/4) and survey answers (8 of 10 satisfied)."""
    frozen_clock.moment = datetime(2026, 10, 31, 20, 0, tzinfo=CITY).astimezone(UTC)
    rows = [
        dossier("HS-late", NgayKetThucXuLy="20261012100000"),  # due the 10th, 17:00
        dossier("HS-complaint"),
        dossier("HS-disliked"),
        dossier("HS-well"),
    ]
    csv_body = as_csv(rows).getvalue().decode()
    header, *lines = csv_body.splitlines()
    header += ",CoKhieuNai,DanhGiaKhongHaiLong"
    flags = {"HS-complaint": ",1,0", "HS-disliked": ",0,1"}
    lines = [line + flags.get(line.split(",")[0], ",0,0") for line in lines]
    content = io.BytesIO(("\n".join([header, *lines]) + "\n").encode())
    import_dossier_file(session, "oct.csv", content, load_mapping(), settings, "test")
    store(session, [response_record(session, catalog, codes=[("overall", 5 if i < 8 else 2)])
                    for i in range(10)])  # fmt: skip


def test_the_766_figure_beside_the_survey(
    client: httpx.Client, session: Session, october: None
) -> None:
    answer = client.get("/api/v1/dossiers/handling", params={"month": "2026-10"},
                        headers=api_key(session, "analyst"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["units"]
    assert row["unit"] == "10507"
    assert (row["dossiers"], row["on_time"], row["complaints"], row["disliked"]) == (4, 3, 1, 1)
    assert (row["handled_well"], row["rate"]) == (1, 0.25)
    assert row["survey_n"] == 10
    assert row["survey_rate"] == pytest.approx(0.8)
    assert row["gap"] == pytest.approx(0.25 - 0.8)
    assert "Quyết định 766/QĐ-TTg" in answer.json()["why_they_differ"]["vi"]


def test_the_report_shows_them_side_by_side(
    session: Session, catalog: FormCatalog, october: None
) -> None:
    report = build_report(session, catalog, Month(2026, 10))
    (row,) = report.handling
    assert (row["rate"], row["survey_n"]) == (0.25, 10)
    html = to_html(report)
    assert "Chỉ số Quyết định 766 bên cạnh SIPAS" in html
    assert "25,0%" in html
    assert "-55,0 điểm %" in html

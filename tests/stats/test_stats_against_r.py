"""The satisfaction estimates agree with R's survey package on data the test makes.

The data have unequal cells, lonely cells, empty cells (dossiers, no responses), cells with
responses but no volumes, item non-response and "not applicable", a sector where everyone
is satisfied and one where no one is, two months, and a channel domain that cuts across
cells. R's script is tests/stats/r/survey_reference.R; it gets the responses as rows and does
its own weighting. Without R the tests skip, except in CI, where they fail.

R's answers are also kept in tests/stats/r/reference/ (the statsmodels ``results_*.py`` habit),
beside the script that made them, so a machine without R still checks every figure; the
R tests check that the kept answers are still R's. After a deliberate change to the data
or the cases, ``SIPAS_REFRESH_R_REFERENCE=1 pytest tests/stats/test_stats_against_r.py -m r``
writes them again.
"""

import csv
import json
import os
import random
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from scipy import stats
from sqlmodel import Session, select

from app.models import Response, Unit, Volume
from app.responses.records import ResponseRecord, insert_records
from app.stats.drivers import drivers
from app.stats.indicators import plan
from app.stats.params import parse_query
from app.stats.service import satisfaction
from app.stats.tallying import tally_month
from app.surveys.forms import FormCatalog, decode_codes
from tests.paths import ROOT

R_SCRIPT = Path(__file__).with_name("r") / "survey_reference.R"
KEPT = Path(__file__).with_name("r") / "reference"
REFRESH = os.environ.get("SIPAS_REFRESH_R_REFERENCE") == "1"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ("10507", "10525", "10532", "10537")
SECTORS = {"land": 0.8, "justice": 0.93, "health": 1.0, "transport": 0.0}
MONTHS = ((2025, 3), (2025, 4))
ELEMENTS = ("access", "procedure", "staff", "result", "feedback")
ELEMENT_OF = {
    criterion: element
    for element, criteria in {
        "access": ("access_info", "access_signage", "access_clean", "access_equipment"),
        "procedure": ("procedure_posted", "procedure_documents", "procedure_fees",
                      "procedure_time"),
        "staff": ("staff_polite", "staff_responsive", "staff_guidance", "staff_compliance",
                  "staff_dedicated"),
        "result": ("result_on_time", "result_accurate", "result_fair"),
        "feedback": ("feedback_channel", "feedback_handled", "feedback_notified"),
    }.items()
    for criterion in criteria
}  # fmt: skip

_without_r = pytest.mark.skipif(
    shutil.which("Rscript") is None and os.environ.get("CI") != "true",
    reason="R with the survey package is not installed (CI installs r-cran-survey)",
)


def needs_r(test: Any) -> Any:
    return pytest.mark.r(_without_r(test))


def _kept_path(name: str) -> Path:
    return KEPT / f"{name}.json"


def _kept(name: str) -> Any:
    """R's answer as kept in the repository (NaN where R said NA)."""
    return json.loads(_kept_path(name).read_text(encoding="utf-8"))


def _keep_or_check(name: str, fresh: Any, script: Path) -> None:
    """R's fresh answer, kept (on a refresh) or compared with the kept one."""
    if REFRESH:
        KEPT.mkdir(exist_ok=True)
        versions = subprocess.run(
            ["Rscript", "-e", 'cat(R.version.string, "survey", format(packageVersion("survey")))'],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        made_by = f"Rscript {script.relative_to(ROOT)} ({versions})"
        document = {"made_by": made_by, **fresh}
        _kept_path(name).write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        return
    kept = _kept(name)
    kept.pop("made_by")
    assert kept.keys() == fresh.keys()
    for key, value in fresh.items():
        assert kept[key] == pytest.approx(value, abs=1e-12, nan_ok=True), key


@dataclass(frozen=True)
class Generated:
    cells: dict[tuple[str, str, str], int]
    volumes: dict[tuple[str, str, str], int]


def _answer(rng: random.Random, satisfied: bool) -> int:
    return rng.choice((4, 5)) if satisfied else rng.choice((1, 2, 3))


@pytest.fixture
def generated(session: Session, catalog: FormCatalog) -> Generated:
    """About 1,500 responses over 32 cells, with volumes for most cells."""
    form = catalog.get("counter-quick", 1)
    assert form is not None
    rng = random.Random(20261126)
    units = {
        code: uid
        for code, uid in session.exec(select(Unit.code, Unit.id).where(Unit.code.in_(UNITS)))  # type: ignore[attr-defined]
        if uid is not None
    }
    records: list[ResponseRecord] = []
    cells: dict[tuple[str, str, str], int] = {}
    volumes: dict[tuple[str, str, str], int] = {}
    for unit in UNITS:
        for sector, p in SECTORS.items():
            for year, month in MONTHS:
                key = (unit, sector, f"{year:04d}-{month:02d}")
                size = rng.choice((0, 1, 1, 2, 4, 9, 25, 60, 90))
                if sector in ("health", "transport"):
                    size = min(size, 9)
                if rng.random() < 0.9 or size == 0:
                    volumes[key] = rng.randrange(40, 900)
                    session.add(
                        Volume(month=key[2], unit_id=units[unit], sector_code=sector,
                               dossiers=volumes[key])
                    )  # fmt: skip
                cells[key] = size
                for _ in range(size):
                    answers: dict[str, int] = {"overall": _answer(rng, rng.random() < p)}
                    for element in ELEMENTS:
                        roll = rng.random()
                        if roll < 0.1:
                            continue
                        if element == "feedback" and roll < 0.35:
                            answers[element] = 0
                            continue
                        answers[element] = _answer(rng, rng.random() < p)
                    day = date(year, month, rng.randrange(1, 29))
                    moment = datetime.combine(day, time(rng.randrange(7, 17)), tzinfo=ZONE)
                    records.append(
                        ResponseRecord(
                            id=uuid.UUID(int=rng.getrandbits(128), version=4),
                            submitted_at=moment.astimezone(UTC),
                            unit_id=units[unit],
                            sector_code=sector,
                            channel=rng.choice(("counter", "paper")),
                            form=form,
                            source="import",
                            codes=tuple(answers.items()),
                            texts=(),
                            content_sha256="0" * 64,
                        )
                    )
    session.flush()
    insert_records(session.connection(), records, ZONE)
    return Generated(cells, volumes)


def _r_reference(
    session: Session,
    catalog: FormCatalog,
    generated: Generated,
    tmp_path: Path,
    *,
    by: tuple[str, ...],
    indicator: str,
    weighting: str,
    method: str,
) -> dict[str, dict[str, float]]:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    indicator_plan = plan(catalog, indicator)
    codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    weighted = {cell for cell in generated.cells if cell in generated.volumes}
    with (tmp_path / "responses.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell", "unit", "sector", "month", "channel", "domain",
                         *[f"y_{q}" for q in indicator_plan.questions]])  # fmt: skip
        responses = session.exec(
            select(Response).where(Response.month.in_(["2025-03", "2025-04"]))  # type: ignore[attr-defined]
        )
        for response in responses:
            cell = (codes[response.unit_id], response.sector_code, response.month)
            if weighting != "none" and cell not in weighted:
                continue
            values = {"unit": cell[0], "sector": cell[1], "month": cell[2],
                      "channel": response.channel}  # fmt: skip
            answers = decode_codes(form, response.answer_codes)
            ys = []
            for question in indicator_plan.questions:
                # counter-quick's element question answers each criterion of its element.
                code = answers.get(question)
                if code is None and indicator_plan.is_index:
                    code = answers.get(ELEMENT_OF.get(question, question))
                ys.append("NA" if code in (None, 0) else int(code >= 4))
            writer.writerow(["|".join(cell), *cell, response.channel,
                             "|".join(str(values[k]) for k in by) or "all", *ys])  # fmt: skip
    with (tmp_path / "volumes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell", "unit", "sector", "dossiers"])
        for cell, dossiers in generated.volumes.items():
            writer.writerow(["|".join(cell), cell[0], cell[1], dossiers])
    with (tmp_path / "params.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["weighting", "method", "level", "questions", "coefficients", "index"])
        writer.writerow([
            weighting, method, 0.95, ";".join(indicator_plan.questions),
            ";".join(repr(c) for c in indicator_plan.coefficients),
            "TRUE" if indicator_plan.is_index else "FALSE",
        ])  # fmt: skip
    out = tmp_path / "out.csv"
    finished = subprocess.run(
        ["Rscript", str(R_SCRIPT), *(str(tmp_path / f) for f in
         ("responses.csv", "volumes.csv", "params.csv")), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if finished.returncode:
        pytest.fail(f"R failed:\n{finished.stderr}")
    with out.open() as handle:
        return {
            row["domain"]: {k: float(v) if v != "NA" else float("nan") for k, v in row.items()
                            if k != "domain"}
            for row in csv.DictReader(handle)
        }  # fmt: skip


CASES = [
    ("", "overall", "poststratified", "logit"),
    ("sector", "overall", "poststratified", "logit"),
    ("sector", "overall", "poststratified", "beta"),
    ("sector", "overall", "poststratified", "wald"),
    ("channel", "overall", "poststratified", "logit"),
    ("unit,sector", "staff", "poststratified", "logit"),
    ("month", "feedback", "none", "logit"),
    ("sector", "overall", "none", "beta"),
    ("channel", "sipas", "poststratified", "wald"),
    ("sector", "sipas", "none", "wald"),
    ("sector", "overall", "raked", "logit"),
    ("channel", "access", "raked", "beta"),
    ("", "sipas", "raked", "wald"),
]


# Every indicator is read from the months' tallies too (app.stats.tallies): counts for a
# question, answer patterns for an element, second moments for the sipas index.
SOURCED = [(*case, source) for case in CASES for source in ("responses", "tallies")]


@needs_r
@pytest.mark.parametrize(("by", "indicator", "weighting", "method", "source"), SOURCED)
def test_estimates_agree_with_r(
    session: Session,
    catalog: FormCatalog,
    generated: Generated,
    tmp_path: Path,
    by: str,
    indicator: str,
    weighting: str,
    method: str,
    source: str,
) -> None:
    keys, ours = _ours(session, catalog, by, indicator, weighting, method, source)
    expected = _r_reference(
        session, catalog, generated, tmp_path,
        by=keys, indicator=indicator, weighting=weighting, method=method,
    )  # fmt: skip
    if source == "responses":
        flat = {f"{domain}/{k}": v for domain, row in expected.items() for k, v in row.items()}
        _keep_or_check(_case_name(by, indicator, weighting, method), flat, R_SCRIPT)
    _agree(ours, expected, keys, weighting)


def _ours(
    session: Session,
    catalog: FormCatalog,
    by: str,
    indicator: str,
    weighting: str,
    method: str,
    source: str,
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The case's ``by`` keys and our rows, from the responses or from the tallies."""
    if source == "tallies":
        for year, month in MONTHS:
            assert tally_month(session, catalog, f"{year:04d}-{month:02d}") == "tallied"
    query = parse_query(
        catalog, date_from="2025-03-01", date_to="2025-04-30", by=by, indicator=indicator,
        weighting=weighting, interval=method,
    )  # fmt: skip
    return tuple(k for k in by.split(",") if k), satisfaction(session, catalog, query).rows


def _case_name(by: str, indicator: str, weighting: str, method: str) -> str:
    return f"estimates-{by.replace(',', '+') or 'all'}-{indicator}-{weighting}-{method}"


@pytest.mark.parametrize(("by", "indicator", "weighting", "method", "source"), SOURCED)
def test_estimates_agree_with_rs_kept_answers(
    session: Session,
    catalog: FormCatalog,
    generated: Generated,
    by: str,
    indicator: str,
    weighting: str,
    method: str,
    source: str,
) -> None:
    """The same comparison without R, against its answers kept in tests/stats/r/reference/."""
    if REFRESH:
        pytest.skip("the kept answers are being written again")
    keys, ours = _ours(session, catalog, by, indicator, weighting, method, source)
    kept = _kept(_case_name(by, indicator, weighting, method))
    kept.pop("made_by")
    expected: dict[str, dict[str, float]] = {}
    for name, value in kept.items():
        domain, field = name.rsplit("/", 1)
        expected.setdefault(domain, {})[field] = value
    _agree(ours, expected, keys, weighting)


def _agree(
    ours: list[dict[str, Any]],
    expected: dict[str, dict[str, float]],
    keys: tuple[str, ...],
    weighting: str,
) -> None:
    tolerance = 1e-6 if weighting == "raked" else 1e-9
    interval_tolerance = 1e-6 if weighting == "raked" else 1e-8
    compared = 0
    for row in ours:
        domain = "|".join(str(row[k]) for k in keys) or "all"
        if row["rate"] is None:
            assert domain not in expected or row["n"] == 0
            continue
        reference = expected[domain]
        assert row["rate"] == pytest.approx(reference["rate"], abs=tolerance), domain
        assert row["se"] == pytest.approx(reference["se"], abs=tolerance), domain
        assert row["df"] == reference["df"], domain
        if row["se"] > 0 and row["target"] is not None:
            p_value = stats.t.cdf((reference["rate"] - row["target"]) / reference["se"], row["df"])
            assert row["p_value"] == pytest.approx(p_value, abs=tolerance), domain
        if 0 < row["rate"] < 1:
            assert row["ci_low"] == pytest.approx(reference["ci_low"], abs=interval_tolerance)
            assert row["ci_high"] == pytest.approx(reference["ci_high"], abs=interval_tolerance)
        compared += 1
    assert compared >= 1
    assert compared == len([r for r in ours if r["rate"] is not None])


@needs_r
def test_drivers_agree_with_rs_svyglm(
    session: Session, catalog: FormCatalog, generated: Generated, tmp_path: Path
) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    with (tmp_path / "responses.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell", "y", "complete", *ELEMENTS])
        responses = session.exec(
            select(Response).where(Response.month.in_(["2025-03", "2025-04"]))  # type: ignore[attr-defined]
        )
        for response in responses:
            cell = (codes[response.unit_id], response.sector_code, response.month)
            if cell not in generated.volumes:
                continue
            answers = decode_codes(form, response.answer_codes)
            marks = [answers.get(e) for e in ELEMENTS]
            complete = all(m not in (None, 0) for m in marks)
            writer.writerow(["|".join(cell), int(answers["overall"] >= 4), int(complete),
                             *[int((m or 0) >= 4) for m in marks]])  # fmt: skip
    with (tmp_path / "volumes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell", "dossiers"])
        for cell, dossiers in generated.volumes.items():
            writer.writerow(["|".join(cell), dossiers])
    out = tmp_path / "out.csv"
    finished = subprocess.run(
        ["Rscript", str(R_SCRIPT.with_name("drivers_reference.R")),
         str(tmp_path / "responses.csv"), str(tmp_path / "volumes.csv"), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if finished.returncode:
        pytest.fail(f"R failed:\n{finished.stderr}")
    with out.open() as handle:
        fresh = {
            f"{row['element']}/{field}": float(row[field])
            for row in csv.DictReader(handle)
            for field in ("coefficient", "se")
        }
    _keep_or_check("drivers-poststratified", fresh, R_SCRIPT.with_name("drivers_reference.R"))
    _drivers_agree(session, catalog, fresh)


def test_drivers_agree_with_rs_kept_answers(
    session: Session, catalog: FormCatalog, generated: Generated
) -> None:
    if REFRESH:
        pytest.skip("the kept answers are being written again")
    kept = _kept("drivers-poststratified")
    kept.pop("made_by")
    _drivers_agree(session, catalog, kept)


def _drivers_agree(session: Session, catalog: FormCatalog, expected: dict[str, float]) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-04-30",
                        weighting="poststratified")  # fmt: skip
    found = drivers(session, catalog, query)
    assert {d["element"] for d in found["drivers"]} == set(ELEMENTS)
    for driver in found["drivers"]:
        element = driver["element"]
        assert driver["coefficient"] == pytest.approx(expected[f"{element}/coefficient"], abs=1e-6)
        assert driver["se"] == pytest.approx(expected[f"{element}/se"], abs=1e-6)

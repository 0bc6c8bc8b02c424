"""Synthetic demo data: counters, dossier volumes and responses for the last six months.

Clearly separate from the reference data: responses carry ``source = 'demo'``. The numbers
are made to look like a real city's: units differ, sectors differ (land and construction
hover around their 90% target, some units fall below it), satisfaction drifts upward over
the months, and a few citizens leave comments, some with personal data that exports mask.
"""

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.imports.reference import new_slug
from app.models import Counter, Procedure, Response, Unit, Volume
from app.responses.records import ResponseRecord, fingerprint, insert_records
from app.surveys.forms import FormCatalog, SurveyFormDefinition

DEMO_FORM = ("counter-quick", 1)
MONTHS = 6

# Share of satisfied citizens per sector before unit and month effects.
_SECTOR_BASE = {
    "land": 0.885,
    "construction": 0.895,
    "investment": 0.93,
    "health": 0.905,
    "education": 0.935,
    "justice": 0.972,
    "labour": 0.955,
    "transport": 0.945,
    "business": 0.962,
    "other": 0.955,
}
_LOCAL_SECTORS = {
    "land": 0.30,
    "justice": 0.30,
    "construction": 0.10,
    "labour": 0.12,
    "business": 0.08,
    "education": 0.05,
    "health": 0.05,
}
_AGENCY_SECTORS = {
    "SNNMT": {"land": 1.0},
    "SXD": {"construction": 1.0},
    "STC": {"investment": 0.4, "business": 0.6},
    "SYT": {"health": 1.0},
    "SGDDT": {"education": 1.0},
    "STP": {"justice": 1.0},
    "BQLKKT": {"investment": 1.0},
    "TTPVHCC": {
        "land": 0.25,
        "construction": 0.2,
        "investment": 0.15,
        "business": 0.2,
        "transport": 0.1,
        "other": 0.1,
    },
}
_COMMENTS_UNHAPPY = (
    "Phải đi lại nhiều lần mới nộp đủ hồ sơ.",
    "Thời gian chờ quá lâu, nên có thêm quầy tiếp nhận.",
    "Cán bộ hướng dẫn chưa rõ ràng, mong được giải thích kỹ hơn.",
    "Trả kết quả chậm so với giấy hẹn. Liên hệ tôi: 0912 345 678.",
    "Đề nghị niêm yết phí, lệ phí rõ hơn. Email: nguoidan.hp@example.com",
    "Máy lấy số thứ tự hay bị hỏng.",
)
_COMMENTS_HAPPY = (
    "Cán bộ nhiệt tình, chu đáo.",
    "Thủ tục nhanh gọn, cảm ơn Trung tâm.",
    "Nơi làm thủ tục sạch sẽ, có chỗ ngồi chờ.",
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    counters: int
    volumes: int
    responses: int


def demo_months(today: date) -> list[str]:
    """The six months up to and including ``today``'s, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _sector_mix(unit: Unit) -> dict[str, float]:
    if unit.level in ("ward", "commune", "special_zone"):
        return _LOCAL_SECTORS
    return _AGENCY_SECTORS.get(unit.code, {"other": 1.0})


def _counter_codes(unit: Unit) -> list[str]:
    if unit.code == "TTPVHCC":
        return ["Q1", "Q2", "Q3", "Q4"]
    if unit.level in ("ward", "commune", "special_zone"):
        return ["Q1", "Q2"]
    return ["Q1"]


def seed_demo(
    session: Session, catalog: FormCatalog, zone: ZoneInfo, today: date, seed: int = 2026
) -> DemoSummary:
    """Add demo counters, volumes and responses; a second call adds nothing."""
    form = catalog.get(*DEMO_FORM)
    if form is None:
        raise RuntimeError("the demo needs form counter-quick v1")
    rng = random.Random(seed)
    units = [u for u in session.exec(select(Unit).order_by(col(Unit.code))) if u.level != "city"]
    counters = _seed_counters(session, units)
    months = demo_months(today)
    cells = list(_cells(rng, units, months))
    volumes = _seed_volumes(session, cells)
    session.commit()
    already = session.exec(select(Response.id).where(Response.source == "demo").limit(1)).first()
    if already is not None:
        return DemoSummary(counters, volumes, 0)
    procedures: dict[str, list[str]] = {}
    for procedure in session.exec(select(Procedure)):
        procedures.setdefault(procedure.sector_code, []).append(procedure.code)
    counters_by_unit: dict[int, list[int]] = {}
    for counter in session.exec(select(Counter)):
        if counter.id is not None:
            counters_by_unit.setdefault(counter.unit_id, []).append(counter.id)
    unit_effect = {u.id: rng.gauss(0.0, 0.55) for u in units}
    connection = session.connection()
    written = 0
    batch: list[ResponseRecord] = []
    for unit, sector, month, dossiers in cells:
        assert unit.id is not None
        respondents = round(dossiers * rng.uniform(0.04, 0.08))
        base = _SECTOR_BASE[sector]
        trend = 0.06 * months.index(month)
        logit = math.log(base / (1 - base)) + unit_effect[unit.id] + trend
        p_satisfied = 1 / (1 + math.exp(-logit))
        for _ in range(respondents):
            batch.append(
                _response(
                    rng,
                    form,
                    unit.id,
                    sector,
                    month,
                    today,
                    zone,
                    p_satisfied,
                    counters_by_unit.get(unit.id, []),
                    procedures.get(sector, []),
                )
            )
            if len(batch) >= 2000:
                insert_records(connection, batch, zone)
                written += len(batch)
                batch.clear()
    insert_records(connection, batch, zone)
    written += len(batch)
    session.commit()
    return DemoSummary(counters, volumes, written)


def _seed_counters(session: Session, units: list[Unit]) -> int:
    existing = {(c.unit_id, c.code) for c in session.exec(select(Counter))}
    added = 0
    for unit in units:
        assert unit.id is not None
        for code in _counter_codes(unit):
            if (unit.id, code) not in existing:
                number = code.removeprefix("Q")
                session.add(
                    Counter(unit_id=unit.id, code=code, name=f"Quầy số {number}", slug=new_slug())
                )
                added += 1
    return added


def _cells(
    rng: random.Random, units: list[Unit], months: list[str]
) -> Iterator[tuple[Unit, str, str, int]]:
    for unit in units:
        size = rng.uniform(300, 1400) if unit.level != "department" else rng.uniform(150, 1600)
        for month in months:
            seasonal = rng.uniform(0.85, 1.15)
            for sector, share in _sector_mix(unit).items():
                yield unit, sector, month, max(1, round(size * share * seasonal))


def _seed_volumes(session: Session, cells: list[tuple[Unit, str, str, int]]) -> int:
    existing = {(v.month, v.unit_id, v.sector_code) for v in session.exec(select(Volume))}
    added = 0
    for unit, sector, month, dossiers in cells:
        assert unit.id is not None
        if (month, unit.id, sector) not in existing:
            session.add(Volume(month=month, unit_id=unit.id, sector_code=sector, dossiers=dossiers))
            added += 1
    return added


def _answer_near(rng: random.Random, overall: int) -> int:
    return min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1))))


def _response(
    rng: random.Random,
    form: SurveyFormDefinition,
    unit_id: int,
    sector: str,
    month: str,
    today: date,
    zone: ZoneInfo,
    p_satisfied: float,
    counters: list[int],
    procedures: list[str],
) -> ResponseRecord:
    year, month_number = int(month[:4]), int(month[5:])
    first = date(year, month_number, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    last = min(last, today)
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    clock = time(7, 30) if rng.random() < 0.02 else time(rng.randrange(7, 17), rng.randrange(60))
    submitted_at = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    if rng.random() < p_satisfied:
        overall = 5 if rng.random() < 0.45 else 4
    else:
        overall = rng.choices((1, 2, 3), weights=(1, 3, 6))[0]
    answers: dict[str, int | list[int] | str] = {"overall": overall}
    for element in ("access", "procedure", "staff", "result"):
        if rng.random() > 0.04:
            answers[element] = _answer_near(rng, overall)
    roll = rng.random()
    if roll < 0.3:
        answers["feedback"] = 0
    elif roll < 0.9:
        answers["feedback"] = _answer_near(rng, overall)
    if overall <= 3 and rng.random() < 0.7:
        answers["improve"] = sorted(rng.sample(range(1, 6), rng.choice((1, 1, 2))))
    if rng.random() < (0.25 if overall <= 3 else 0.03):
        answers["comment"] = rng.choice(_COMMENTS_UNHAPPY if overall <= 3 else _COMMENTS_HAPPY)
    channel = "paper" if rng.random() < 0.15 else "counter"
    counter_id = rng.choice(counters) if counters and channel == "counter" else None
    started_at = submitted_at - timedelta(seconds=rng.randrange(35, 150))
    response_id = uuid.UUID(bytes=rng.randbytes(16), version=4)
    codes: list[tuple[str, int]] = []
    texts: list[tuple[str, str]] = []
    for qid, value in answers.items():
        if isinstance(value, str):
            texts.append((qid, value))
        elif isinstance(value, list):
            codes.extend((qid, code) for code in value)
        else:
            codes.append((qid, value))
    procedure = rng.choice(procedures) if procedures else None
    return ResponseRecord(
        id=response_id,
        submitted_at=submitted_at,
        started_at=started_at if channel == "counter" else None,
        unit_id=unit_id,
        counter_id=counter_id,
        sector_code=sector,
        procedure_code=procedure,
        channel=channel,
        form=form,
        source="demo",
        codes=tuple(codes),
        texts=tuple(texts),
        content_sha256=fingerprint({"id": str(response_id), "answers": answers}),
    )

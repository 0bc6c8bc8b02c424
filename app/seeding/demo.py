"""Synthetic demo data: counters, dossier volumes and responses for the last six months.

Clearly separate from the reference data: responses carry ``source = 'demo'``. The numbers
are made to look like a real city's: units differ, sectors differ (land and construction
hover around their 90% target, some units fall below it), satisfaction drifts upward over
the months, and a few citizens leave comments, some with personal data that exports mask.
"""

import bisect
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.db import writing
from app.models import Counter, Procedure, Response, Unit, Volume
from app.months import Month
from app.privacy import mask_personal_data
from app.responses.records import ResponseRecord, fingerprint, insert_records
from app.surveys.forms import FormCatalog, SurveyFormDefinition
from app.surveys.links import new_slug

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


# Opening hours of a one-stop counter, as half-hour slots (local time) with the share of
# the day's visitors each draws: a morning peak, a quieter afternoon, Saturday mornings
# only where the unit opens then, Sundays closed.
_WEEKDAY_SLOTS = {
    time(7, 30): 0.8, time(8, 0): 1.3, time(8, 30): 1.5, time(9, 0): 1.5, time(9, 30): 1.4,
    time(10, 0): 1.2, time(10, 30): 1.0, time(11, 0): 0.6,
    time(13, 30): 0.8, time(14, 0): 1.1, time(14, 30): 1.1, time(15, 0): 1.0,
    time(15, 30): 0.8, time(16, 0): 0.6, time(16, 30): 0.3,
}  # fmt: skip
_SATURDAY_SHARE = 0.4
_SLOT = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class _Opening:
    """The month's opening slots up to the moment the demo runs: when each starts, how
    long of it has passed, and the visitors' cumulative weights to draw a slot from."""

    starts: list[datetime]
    lengths: list[timedelta]
    cumulative: list[float]
    elapsed_share: float  # of the whole month's visitors

    @classmethod
    def of(cls, month: str, zone: ZoneInfo, now: datetime, saturdays: bool) -> "_Opening":
        starts: list[datetime] = []
        lengths: list[timedelta] = []
        cumulative: list[float] = []
        total = elapsed = 0.0
        span = Month.parse(month)
        day = span.first_day
        while day <= span.last_day:
            weekday = day.weekday()
            share = 1.0 if weekday < 5 else _SATURDAY_SHARE if weekday == 5 and saturdays else 0
            for start, weight in _WEEKDAY_SLOTS.items() if share else ():
                if weekday == 5 and start.hour >= 12:
                    continue
                begins = datetime.combine(day, start, tzinfo=zone)
                total += share * weight
                passed = min(max(now - begins, timedelta(0)), _SLOT)
                if passed > timedelta(0):
                    elapsed += share * weight * (passed / _SLOT)
                    starts.append(begins)
                    lengths.append(passed)
                    cumulative.append(elapsed)
            day += timedelta(days=1)
        return cls(starts, lengths, cumulative, elapsed / total if total else 0.0)

    def draw(self, rng: random.Random) -> datetime:
        """A moment in a passed slot, the slots weighted by their visitors."""
        slot = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        offset = timedelta(seconds=rng.random() * self.lengths[slot].total_seconds())
        return (self.starts[slot] + offset).astimezone(UTC)


def demo_months(today: date) -> list[str]:
    """The six months up to and including ``today``'s, oldest first."""
    return [str(Month.of(today).back(back)) for back in range(MONTHS - 1, -1, -1)]


# Commune-level units: a ward's or a commune's one-stop counter, and the special zones'.
LOCAL_LEVELS = ("ward", "commune", "special_zone")


def opening_slots(day: date) -> list[time]:
    """When a counter's half-hour slots begin on ``day``: Saturdays the morning's only,
    Sundays none."""
    weekday = day.weekday()
    return [s for s in _WEEKDAY_SLOTS if weekday < 5 or (weekday == 5 and s.hour < 12)]


def _opens_saturday(unit: Unit) -> bool:
    return unit.code == "TTPVHCC" or unit.level in LOCAL_LEVELS


def sector_mix(unit: Unit) -> dict[str, float]:
    if unit.level in LOCAL_LEVELS:
        return _LOCAL_SECTORS
    return _AGENCY_SECTORS.get(unit.code, {"other": 1.0})


def _counters_of(unit: Unit) -> list[tuple[str, str, str | None]]:
    """(code, name, sector) of the unit's demo counters. A commune-level unit has both
    kinds: a land counter, whose QR knows its sector, and one for everything else, whose
    page asks the sector last."""
    if unit.code == "TTPVHCC":
        return [(f"Q{n}", f"Quầy số {n}", None) for n in range(1, 5)]
    if unit.level in LOCAL_LEVELS:
        return [("Q1", "Quầy số 1 – Đất đai", "land"), ("Q2", "Quầy số 2 – Các thủ tục khác", None)]
    return [("Q1", "Quầy số 1", None)]


def _counters_for(kinds: dict[str | None, list[int]], sector: str) -> list[int]:
    return kinds.get(sector) or kinds.get(None, [])


def seed_demo(
    session: Session, catalog: FormCatalog, zone: ZoneInfo, now: datetime, seed: int = 2026
) -> DemoSummary:
    """Add demo counters, volumes and responses up to ``now``; a second call adds nothing.

    The current month holds what has passed of it: its dossiers and responses so far,
    timed in its opening hours before ``now``.
    """
    form = catalog.get(*DEMO_FORM)
    if form is None:
        raise RuntimeError("the demo needs form counter-quick v1")
    rng = random.Random(seed)
    with writing(session):  # one transaction: a demo is all there or not at all
        units = [
            u for u in session.exec(select(Unit).order_by(col(Unit.code))) if u.level != "city"
        ]
        counters = _seed_counters(session, units)
        months = demo_months(now.astimezone(zone).date())
        openings = {(month, saturdays): _Opening.of(month, zone, now, saturdays)
                    for month in months for saturdays in (False, True)}  # fmt: skip
        cells = [
            (unit, sector, month, dossiers, opening)
            for unit, sector, month, whole_month in _cells(rng, units, months)
            for opening in [openings[month, _opens_saturday(unit)]]
            if (dossiers := round(whole_month * opening.elapsed_share))
        ]
        volumes = _seed_volumes(session, cells)
        already = session.exec(
            select(Response.id).where(Response.source == "demo").limit(1)
        ).first()
        if already is not None:
            return DemoSummary(counters, volumes, 0)
        procedures: dict[str, list[str]] = {}
        for procedure in session.exec(select(Procedure)):
            procedures.setdefault(procedure.sector_code, []).append(procedure.code)
        # Per unit and sector, the counters a response of that sector is made at: the
        # sector's own counters where the unit has them, its general counters otherwise.
        counters_by_unit: dict[int, dict[str | None, list[int]]] = {}
        for counter in session.exec(select(Counter).order_by(col(Counter.id))):
            if counter.id is not None:
                kinds = counters_by_unit.setdefault(counter.unit_id, {})
                kinds.setdefault(counter.sector_code, []).append(counter.id)
        unit_effect = {u.id: rng.gauss(0.0, 0.55) for u in units}
        connection = session.connection()
        written = 0
        batch: list[ResponseRecord] = []
        for unit, sector, month, dossiers, opening in cells:
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
                        opening,
                        p_satisfied,
                        _counters_for(counters_by_unit.get(unit.id, {}), sector),
                        procedures.get(sector, []),
                    )
                )
                if len(batch) >= 2000:
                    insert_records(connection, batch, zone)
                    written += len(batch)
                    batch.clear()
        insert_records(connection, batch, zone)
        written += len(batch)
    return DemoSummary(counters, volumes, written)


def _seed_counters(session: Session, units: list[Unit]) -> int:
    existing = {(c.unit_id, c.code) for c in session.exec(select(Counter))}
    added = 0
    for unit in units:
        assert unit.id is not None
        for code, name, sector in _counters_of(unit):
            if (unit.id, code) not in existing:
                session.add(Counter(unit_id=unit.id, code=code, name=name, slug=new_slug(),
                                    sector_code=sector))  # fmt: skip
                added += 1
    return added


def _cells(
    rng: random.Random, units: list[Unit], months: list[str]
) -> Iterator[tuple[Unit, str, str, int]]:
    for unit in units:
        size = rng.uniform(300, 1400) if unit.level != "department" else rng.uniform(150, 1600)
        for month in months:
            seasonal = rng.uniform(0.85, 1.15)
            for sector, share in sector_mix(unit).items():
                yield unit, sector, month, max(1, round(size * share * seasonal))


def _seed_volumes(session: Session, cells: list[tuple[Unit, str, str, int, _Opening]]) -> int:
    existing = {(v.month, v.unit_id, v.sector_code) for v in session.exec(select(Volume))}
    added = 0
    for unit, sector, month, dossiers, _ in cells:
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
    opening: _Opening,
    p_satisfied: float,
    counters: list[int],
    procedures: list[str],
) -> ResponseRecord:
    submitted_at = opening.draw(rng)
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
            texts.append((qid, mask_personal_data(value)))  # stored as a citizen's would be
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

"""`sipas seed --demo`: six months of realistic synthetic data up to the moment it runs,
added once."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.db import create_db_engine
from app.models import Counter, Response, Unit, Volume
from app.seeding.demo import DemoSummary, demo_months, seed_demo
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog, decode_codes
from tests.databases import fresh_database

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 26, 9, 41, tzinfo=ZONE)  # a Thursday morning
TODAY = NOW.date()


@dataclass(frozen=True)
class Demo:
    engine: Engine
    first: DemoSummary
    second: DemoSummary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog) -> Iterator[Demo]:
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        engine = create_db_engine(url)
        try:
            with Session(engine) as session:
                seed_reference(session, catalog)
                first = seed_demo(session, catalog, ZONE, NOW)
                second = seed_demo(session, catalog, ZONE, NOW)
            yield Demo(engine, first, second)
        finally:
            engine.dispose()


def test_the_six_months_end_with_the_current_one() -> None:
    assert demo_months(TODAY) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert demo_months(date(2026, 3, 2))[0] == "2025-10"


def test_a_second_run_adds_nothing(demo: Demo) -> None:
    assert demo.first.responses > 10_000
    assert demo.first.counters > 200
    assert demo.second == DemoSummary(0, 0, 0)


def test_every_commune_level_unit_has_counters(demo: Demo) -> None:
    with Session(demo.engine) as session:
        without = session.exec(
            select(func.count())
            .select_from(Unit)
            .where(Unit.level.in_(("ward", "commune", "special_zone")))  # type: ignore[attr-defined]
            .where(~Unit.id.in_(select(Counter.unit_id)))  # type: ignore[union-attr]
        ).one()
    assert without == 0


def test_counters_come_in_both_kinds_and_hold_responses_of_their_sector(demo: Demo) -> None:
    with Session(demo.engine) as session:
        kinds = {sector is None for sector in session.exec(select(Counter.sector_code))}
        mismatched = session.exec(
            select(func.count())
            .select_from(Response)
            .join(Counter, Counter.id == Response.counter_id)  # type: ignore[arg-type]
            .where(Counter.sector_code.is_not(None))  # type: ignore[union-attr]
            .where(Counter.sector_code != Response.sector_code)
        ).one()
    assert kinds == {True, False}  # QR codes that know their sector, and ones that ask
    assert mismatched == 0


def test_responses_span_the_months_and_none_is_in_the_future(demo: Demo) -> None:
    with Session(demo.engine) as session:
        months = set(session.exec(select(Response.month)))
        latest = session.exec(select(func.max(Response.local_date))).one()
        volume_months = set(session.exec(select(Volume.month)))
    assert months == set(demo_months(TODAY)) == volume_months
    assert latest is not None
    assert latest <= TODAY


def _local_times(engine: Engine) -> list[datetime]:
    with Session(engine) as session:
        stamps = session.exec(select(Response.submitted_at)).all()
    return [stamp.astimezone(ZONE) for stamp in stamps]


def test_responses_come_in_opening_hours_on_weekdays_and_saturday_mornings(demo: Demo) -> None:
    local = _local_times(demo.engine)
    assert max(local) <= NOW
    assert all(time(7, 30) <= t.time() < time(11, 30) or time(13, 30) <= t.time() < time(17)
               for t in local)  # fmt: skip
    by_weekday = [0] * 7
    for t in local:
        by_weekday[t.weekday()] += 1
    assert by_weekday[6] == 0  # Sunday: closed
    assert all(t.hour < 12 for t in local if t.weekday() == 5)
    assert 0 < by_weekday[5] < min(by_weekday[:5]) / 2
    mornings = sum(t.hour < 12 for t in local)
    assert mornings > 0.55 * len(local)


def test_the_current_month_holds_only_what_has_passed_of_it(demo: Demo) -> None:
    with Session(demo.engine) as session:

        def dossiers(month: str) -> int:
            found = session.exec(select(func.sum(Volume.dossiers)).where(Volume.month == month))
            return int(found.one() or 0)

        # 26 November 09:41 is about 18 of the month's 21 working days.
        share = dossiers("2026-11") / dossiers("2026-10")
        today = session.exec(
            select(func.count()).select_from(Response).where(Response.local_date == TODAY)
        ).one()
    assert 0.70 < share < 0.95
    assert 0 < today < 300  # two hours of a morning


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 0, 5, tzinfo=ZONE),  # still 30 November in UTC
        datetime(2026, 12, 31, 23, 59, tzinfo=ZONE),
        datetime(2028, 2, 29, 12, 0, tzinfo=ZONE),
    ],
    ids=["first-minutes-of-a-month", "year-end", "leap-day"],
)
def test_a_demo_seeded_at_any_moment_has_nothing_after_it(
    moment: datetime, tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog
) -> None:
    with fresh_database(tmp_path_factory.mktemp("moment")) as url:
        engine = create_db_engine(url)
        try:
            with Session(engine) as session:
                seed_reference(session, catalog)
                seed_demo(session, catalog, ZONE, moment)
                latest = session.exec(select(func.max(Response.submitted_at))).one()
                months = set(session.exec(select(Response.month)))
                volume_months = set(session.exec(select(Volume.month)))
        finally:
            engine.dispose()
    assert latest is not None
    assert latest.astimezone(UTC) <= moment
    wanted = set(demo_months(moment.date()))
    if moment.day == 1 and moment.hour < 7:  # the month's counters have not opened
        wanted.discard(f"{moment.year:04d}-{moment.month:02d}")
    assert months == volume_months == wanted


def test_some_sectors_fall_below_their_target_and_others_meet_it(
    demo: Demo, catalog: FormCatalog
) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    satisfied: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with Session(demo.engine) as session:
        for sector, codes in session.exec(select(Response.sector_code, Response.answer_codes)):
            overall = decode_codes(form, codes)["overall"]
            satisfied[sector][0] += overall >= 4
            satisfied[sector][1] += 1
    rate = {sector: hits / total for sector, (hits, total) in satisfied.items()}
    assert rate["land"] < 0.90 < rate["justice"]
    assert rate["justice"] >= 0.95

"""`sipas seed --demo`: six months of realistic synthetic data, added once."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
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

TODAY = date(2026, 11, 26)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


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
                first = seed_demo(session, catalog, ZONE, TODAY)
                second = seed_demo(session, catalog, ZONE, TODAY)
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


def test_responses_span_the_months_and_none_is_in_the_future(demo: Demo) -> None:
    with Session(demo.engine) as session:
        months = set(session.exec(select(Response.month)))
        latest = session.exec(select(func.max(Response.local_date))).one()
        volume_months = set(session.exec(select(Volume.month)))
    assert months == set(demo_months(TODAY)) == volume_months
    assert latest is not None
    assert latest <= TODAY


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

"""Monthly tallies: estimates read from them are those read from the responses, to the
last bit, and no stored response is ever missing from them."""

import random
import threading
import time as stopwatch
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from app import tallied_months
from app.cli import main
from app.clock import FixedClock
from app.db import create_db_engine
from app.models import MonthCount, MonthDriver, MonthMoment, MonthPattern, MonthTally, Unit, Volume
from app.principals import Principal
from app.responses.records import ResponseRecord, insert_records
from app.seeding.reference import seed_reference
from app.stats import tallying
from app.stats.drivers import drivers
from app.stats.params import parse_query
from app.stats.service import satisfaction
from app.stats.tallying import tally_closed_months, tally_month
from app.surveys.forms import FormCatalog
from tests.databases import backend, scalar
from tests.factories import response_row, write_csv

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ("10507", "10525", "10532")
SECTORS = ("land", "justice", "health")
MONTHS = ("2025-03", "2025-04", "2025-05")
FORMS = ("counter-quick", "sipas-service", "online-service")


def _record(
    catalog: FormCatalog,
    rng: random.Random,
    unit_id: int,
    sector: str,
    day: date,
    *,
    too_fast: bool = False,
) -> ResponseRecord:
    form = catalog.get(rng.choice(FORMS), 1)
    assert form is not None
    codes = []
    for question in form.scored_questions():
        roll = rng.random()
        if roll < 0.1:
            continue  # not answered
        top = 3 if question.type == "choice3" else 5
        codes.append((question.id, rng.randint(1, top)))
    moment = datetime.combine(day, time(rng.randrange(7, 17)), tzinfo=ZONE)
    return ResponseRecord(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        submitted_at=moment.astimezone(UTC),
        unit_id=unit_id,
        sector_code=sector,
        channel="online" if form.id == "online-service" else rng.choice(("counter", "paper")),
        form=form,
        source="import",
        codes=tuple(codes),
        texts=(),
        content_sha256="0" * 64,
        flag_too_fast=too_fast,
    )


def _units(session: Session) -> dict[str, int]:
    found = session.exec(select(Unit.code, Unit.id).where(Unit.code.in_(UNITS)))  # type: ignore[attr-defined]
    return {code: uid for code, uid in found if uid is not None}


@pytest.fixture
def responses(session: Session, catalog: FormCatalog) -> int:
    """About 600 responses of three forms over three months, with volumes for most cells;
    a few are excluded. Returns how many are in scope."""
    rng = random.Random(7)
    records = []
    for code, unit_id in _units(session).items():
        for sector in SECTORS:
            for month in MONTHS:
                year, number = int(month[:4]), int(month[5:])
                if rng.random() < 0.85:
                    session.add(Volume(month=month, unit_id=unit_id, sector_code=sector,
                                       dossiers=rng.randrange(50, 900)))  # fmt: skip
                for _ in range(rng.choice((1, 2, 5, 20, 40))):
                    day = date(year, number, rng.randrange(1, 29))
                    records.append(_record(catalog, rng, unit_id, sector, day,
                                           too_fast=rng.random() < 0.03))  # fmt: skip
        del code
    session.flush()
    insert_records(session.connection(), records, ZONE)
    return sum(not record.flag_too_fast for record in records)


QUERIES = {
    "overall by sector, post-stratified": {"by": "sector", "weighting": "poststratified"},
    "overall by unit and channel, raked": {"by": "unit,channel", "weighting": "raked"},
    "every criterion by sector, unweighted": {"by": "sector,question", "indicator": "sipas",
                                                  "weighting": "none"},
    "a criterion by month": {"by": "month", "indicator": "staff_polite"},
    "an element question by sector": {"by": "sector", "indicator": "access"},
    "half a month read from responses": {"by": "sector", "date_from": "2025-03-15"},
    "the online index by channel": {"by": "channel", "indicator": "online"},
    "the sipas index by sector, post-stratified": {"by": "sector", "indicator": "sipas"},
    "the sipas index by unit and channel, raked": {"by": "unit,channel", "indicator": "sipas",
                                                   "weighting": "raked"},
    "the sipas index, half a month from responses": {"indicator": "sipas",
                                                     "date_from": "2025-03-15"},
}  # fmt: skip


@pytest.mark.parametrize("parameters", QUERIES.values(), ids=QUERIES.keys())
def test_estimates_from_tallies_are_those_from_responses(
    session: Session, catalog: FormCatalog, responses: int, parameters: dict[str, str]
) -> None:
    period = {"date_from": "2025-03-01", "date_to": "2025-05-31"}
    query = parse_query(catalog, **{**period, **parameters})  # type: ignore[arg-type]
    from_responses = satisfaction(session, catalog, query)
    for month in MONTHS:
        assert tally_month(session, catalog, month) == "tallied"
    from_tallies = satisfaction(session, catalog, query)
    assert from_tallies.rows == from_responses.rows
    assert from_tallies.unweighted_cells == from_responses.unweighted_cells
    assert any(row["n"] > 0 for row in from_tallies.rows)


def test_an_element_index_reads_its_answer_patterns_from_the_tallies(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-05-31", by="sector",
                        indicator="staff")  # fmt: skip
    from_responses = satisfaction(session, catalog, query).rows
    for month in MONTHS:
        tally_month(session, catalog, month)
    kept = session.exec(select(func.sum(MonthPattern.responses))
                        .where(MonthPattern.indicator == "staff")).one()  # fmt: skip
    assert kept == responses  # each in-scope response has one pattern per element
    assert satisfaction(session, catalog, query).rows == from_responses
    # Patterns kept over other criteria (the element changed since) are not read.
    session.connection().execute(
        text("UPDATE month_pattern SET responses = responses + 1000 WHERE indicator = :i"),
        {"i": "staff"},
    )
    assert satisfaction(session, catalog, query).rows != from_responses
    session.connection().execute(
        text("UPDATE month_pattern_plan SET questions = :q WHERE indicator = :i"),
        {"q": "staff_polite", "i": "staff"},
    )
    assert satisfaction(session, catalog, query).rows == from_responses


def test_the_sipas_index_reads_its_second_moments_from_the_tallies(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-05-31", by="sector",
                        indicator="sipas")  # fmt: skip
    from_responses = satisfaction(session, catalog, query).rows
    for month in MONTHS:
        tally_month(session, catalog, month)
    kept = session.exec(select(func.sum(MonthMoment.responses))
                        .where(MonthMoment.indicator == "sipas")).one()  # fmt: skip
    assert kept == responses  # a fixed number of sums per cell, every response in them
    cells = session.exec(select(func.count()).select_from(MonthMoment)
                         .where(MonthMoment.indicator == "sipas")).one()  # fmt: skip
    assert cells < responses / 5
    assert satisfaction(session, catalog, query).rows == from_responses
    # Moments kept over other questions (the index changed since) are not read.
    session.connection().execute(
        text("UPDATE month_moment SET responses = responses + 1000 WHERE indicator = :i"),
        {"i": "sipas"},
    )
    assert satisfaction(session, catalog, query).rows != from_responses
    session.connection().execute(
        text("UPDATE month_moment_plan SET questions = :q WHERE indicator = :i"),
        {"q": "staff_polite", "i": "sipas"},
    )
    assert satisfaction(session, catalog, query).rows == from_responses


def test_the_drivers_read_their_groups_from_the_tallies(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-05-31")
    from_responses = drivers(session, catalog, query)
    for month in MONTHS:
        tally_month(session, catalog, month)
    kept = session.exec(select(func.sum(MonthDriver.responses))).one()
    assert kept == responses
    # The same model fitted on the same patterns, whose weights are summed in another order
    # (groups, not rows): equal to the last bits but for rounding.
    assert drivers(session, catalog, query) == _to_rounding(from_responses)
    half = parse_query(catalog, date_from="2025-03-15", date_to="2025-05-31")
    assert drivers(session, catalog, half)["n"] < from_responses["n"]  # part from responses


def _to_rounding(figures: object) -> object:
    """``figures`` with each float to be matched to 1e-12 of itself."""
    if isinstance(figures, float):
        return pytest.approx(figures, rel=1e-12, abs=1e-15)
    if isinstance(figures, dict):
        return {key: _to_rounding(value) for key, value in figures.items()}
    if isinstance(figures, list):
        return [_to_rounding(value) for value in figures]
    return figures


def test_a_unit_key_reads_only_its_units_from_the_tallies(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    units = _units(session)
    principal = Principal(kind="key", id=1, name="test", role="unit",
                          unit_ids=frozenset({units["10525"]}))  # fmt: skip
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-05-31", by="unit")
    from_responses = satisfaction(session, catalog, query, principal)
    for month in MONTHS:
        tally_month(session, catalog, month)
    from_tallies = satisfaction(session, catalog, query, principal)
    assert from_tallies.rows == from_responses.rows
    assert [row["unit"] for row in from_tallies.rows] == ["10525"]


def test_the_tallies_hold_every_in_scope_response(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    for month in MONTHS:
        tally_month(session, catalog, month)
    assert session.exec(select(func.sum(MonthCount.responses))).one() == responses
    assert tally_month(session, catalog, MONTHS[0]) == "tallied already"


def test_a_new_response_in_a_tallied_month_forgets_its_tallies(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-03-31")
    tally_month(session, catalog, "2025-03")
    before = satisfaction(session, catalog, query).rows[0]["n"]
    late = _record(catalog, random.Random(1), _units(session)["10507"], "land", date(2025, 3, 9))
    insert_records(session.connection(), [late], ZONE)
    assert tallied_months.generations(session.connection(), ["2025-03"]) == {}
    assert session.exec(select(func.count()).select_from(MonthTally)).one() == 0
    answered_overall = any(question == "overall" for question, _ in late.codes)
    assert satisfaction(session, catalog, query).rows[0]["n"] == before + answered_overall


def test_an_excluded_response_leaves_the_tallies_alone(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    tally_month(session, catalog, "2025-03")
    rng = random.Random(2)
    flagged = _record(catalog, rng, _units(session)["10507"], "land", date(2025, 3, 9),
                      too_fast=True)  # fmt: skip
    insert_records(session.connection(), [flagged], ZONE)
    assert list(tallied_months.generations(session.connection(), ["2025-03"])) == ["2025-03"]


def test_a_rebuild_catches_up_with_responses_changed_outside_the_platform(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    query = parse_query(catalog, date_from="2025-03-01", date_to="2025-03-31", by="sector")
    tally_month(session, catalog, "2025-03")
    # The platform never updates a response; an operator with SQL can.
    session.connection().execute(
        text("UPDATE response SET excluded = :yes WHERE month = :month AND sector_code = 'land'"),
        {"yes": True, "month": "2025-03"},
    )

    def land(rows: list[dict[str, Any]]) -> list[int]:
        return [row["n"] for row in rows if row["sector"] == "land"]

    stale = land(satisfaction(session, catalog, query).rows)
    assert stale[0] > 0  # the tallies still count them
    assert tally_month(session, catalog, "2025-03", rebuild=True) == "tallied"
    assert land(satisfaction(session, catalog, query).rows) in ([], [0])


def test_closed_months_are_tallied_once_and_the_open_month_never(
    session: Session, catalog: FormCatalog, responses: int
) -> None:
    may_10 = datetime(2025, 5, 10, 12, tzinfo=ZONE)
    assert tally_closed_months(session, catalog, ZONE, may_10) == ["2025-03", "2025-04"]
    assert tally_closed_months(session, catalog, ZONE, may_10) == []
    # Midnight of 1 June in the city: May has ended.
    june_1 = datetime(2025, 6, 1, 0, 0, 1, tzinfo=ZONE)
    assert tally_closed_months(session, catalog, ZONE, june_1) == ["2025-05"]


def test_a_build_never_misses_a_response_whose_writer_was_in_its_transaction(
    scratch_database_url: str, catalog: FormCatalog
) -> None:
    engine = create_db_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            seed_reference(session, catalog)
            unit_id = _units(session)["10507"]
        rng = random.Random(3)
        first = _record(catalog, rng, unit_id, "land", date(2025, 3, 2))
        with engine.begin() as connection:
            insert_records(connection, [first], ZONE)
        outcomes: list[str] = []

        def build() -> None:
            with Session(engine) as session:
                outcomes.append(tally_month(session, catalog, "2025-03"))

        with engine.begin() as writer:
            late = _record(catalog, rng, unit_id, "land", date(2025, 3, 30))
            insert_records(writer, [late], ZONE)
            builder = threading.Thread(target=build)
            builder.start()
            # A second of polling, not join(timeout=…): under faketime (.ci/run) a timed
            # wait on a lock never times out (libfaketime fakes the monotonic deadline).
            waited_until = stopwatch.monotonic() + 1.0
            while builder.is_alive() and stopwatch.monotonic() < waited_until:
                stopwatch.sleep(0.01)
            # PostgreSQL: the build waits for the month's lock; SQLite: for the write lock
            # to claim the month, before it counts.
            assert builder.is_alive(), "the build must wait for the writer's transaction"
        builder.join(timeout=30)
        assert outcomes == ["tallied"]
        with Session(engine) as session:
            assert session.exec(select(func.sum(MonthCount.responses))).one() == 2
    finally:
        engine.dispose()


def test_a_response_that_arrives_while_sqlite_publishes_a_month_voids_the_build(
    scratch_database_url: str, catalog: FormCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite publishes a month's rows in short transactions, unread until it marks the
    month; a response stored meanwhile means the count is stale: the rows go, unread."""
    if backend() != "sqlite":
        pytest.skip("PostgreSQL builds a month in one transaction under the month's lock")
    engine = create_db_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            seed_reference(session, catalog)
            unit_id = _units(session)["10507"]
        rng = random.Random(5)
        with engine.begin() as connection:
            insert_records(connection, [_record(catalog, rng, unit_id, "land",
                                                date(2025, 3, 2))], ZONE)  # fmt: skip
        counted = tallying._counted

        def count_then_a_citizen_answers(*args: Any) -> Any:
            found = counted(*args)
            with engine.begin() as writer:  # another connection, while the build works
                late = _record(catalog, rng, unit_id, "land", date(2025, 3, 30))
                insert_records(writer, [late], ZONE)
            return found

        monkeypatch.setattr(tallying, "_counted", count_then_a_citizen_answers)
        with Session(engine) as session:
            assert tally_month(session, catalog, "2025-03") == "responses arrived"
            assert session.exec(select(func.count()).select_from(MonthCount)).one() == 0
            assert session.exec(select(func.count()).select_from(MonthMoment)).one() == 0
        monkeypatch.undo()
        with Session(engine) as session:
            assert tally_month(session, catalog, "2025-03") == "tallied"
            assert session.exec(select(func.sum(MonthCount.responses))).one() == 2
    finally:
        engine.dispose()


def test_a_build_whose_claim_a_writer_took_stops_and_another_completes(
    scratch_database_url: str, catalog: FormCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import forgets the month while serve's start-up build counts it; the command's
    own build then tallies it. The first build must stop writing: the month is another's."""
    if backend() != "sqlite":
        pytest.skip("PostgreSQL builds a month in one transaction under the month's lock")
    engine = create_db_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            seed_reference(session, catalog)
            unit_id = _units(session)["10507"]
        rng = random.Random(9)
        records = [_record(catalog, rng, unit_id, "land", date(2025, 3, d)) for d in (2, 3)]
        with engine.begin() as connection:
            insert_records(connection, records, ZONE)
        counted = tallying._counted
        interfered: list[str] = []

        def count_while_another_builds(*args: Any) -> Any:
            found = counted(*args)
            if not interfered:
                interfered.append("once")
                with engine.begin() as writer:
                    tallied_months.forget(writer, ["2025-03"])
                with Session(engine) as other:
                    interfered.append(tally_month(other, catalog, "2025-03"))
            return found

        monkeypatch.setattr(tallying, "_counted", count_while_another_builds)
        with Session(engine) as session:
            assert tally_month(session, catalog, "2025-03") == "responses arrived"
        assert interfered == ["once", "tallied"]
        with Session(engine) as session:
            assert session.exec(select(func.sum(MonthCount.responses))).one() == 2
    finally:
        engine.dispose()


def test_a_second_build_of_a_month_steps_aside_and_an_abandoned_one_is_taken_over(
    scratch_database_url: str, catalog: FormCatalog, frozen_clock: FixedClock
) -> None:
    if backend() != "sqlite":
        pytest.skip("PostgreSQL builds a month under the month's lock: no claim to step aside")
    engine = create_db_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            seed_reference(session, catalog)
            unit_id = _units(session)["10507"]
            first = _record(catalog, random.Random(7), unit_id, "land", date(2025, 3, 2))
            insert_records(session.connection(), [first], ZONE)
            session.commit()
        with engine.begin() as connection:
            assert tallied_months.claim(connection, "2025-03") is not None  # a build under way
        with Session(engine) as session:
            assert tally_month(session, catalog, "2025-03") == "tallied already"
            assert (
                satisfaction(
                    session,
                    catalog,
                    parse_query(catalog, date_from="2025-03-01", date_to="2025-03-31"),
                ).rows[0]["n"]
                == 1
            )
        frozen_clock.advance(tallied_months.ABANDONED_AFTER + timedelta(minutes=1))
        with Session(engine) as session:
            assert tally_month(session, catalog, "2025-03") == "tallied"
    finally:
        engine.dispose()


def test_sipas_analytics_tally_tallies_closed_months_once(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], frozen_clock: FixedClock
) -> None:
    assert main(["seed"]) == 0
    path = write_csv(tmp_path / "paper.csv", [response_row(), response_row()])  # October 2026
    assert main(["import", "responses", str(path)]) == 0
    capsys.readouterr()
    frozen_clock.moment = datetime(2026, 10, 31, 23, 59, tzinfo=ZONE)
    assert main(["analytics", "tally"]) == 0
    assert "0 month(s) tallied" in capsys.readouterr().out
    frozen_clock.moment = datetime(2026, 11, 1, 0, 5, tzinfo=ZONE)  # 31 October in UTC
    assert main(["analytics", "tally"]) == 0
    assert "tallied 2026-10\n1 month(s) tallied" in capsys.readouterr().out
    assert main(["analytics", "tally"]) == 0
    assert "0 month(s) tallied" in capsys.readouterr().out
    assert main(["analytics", "tally", "--month", "2026-10"]) == 0
    assert "2026-10: tallied already (--rebuild replaces its tallies)" in capsys.readouterr().out
    assert main(["analytics", "tally", "--month", "2026-10", "--rebuild"]) == 0
    assert "2026-10: tallied\n" in capsys.readouterr().out
    assert scalar(cli_env, select(func.sum(col(MonthCount.responses)))) == 2
    assert main(["analytics", "tally", "--month", "2026-13"]) == 2
    assert main(["analytics", "tally", "--rebuild"]) == 2
    assert "name it with --month" in capsys.readouterr().err

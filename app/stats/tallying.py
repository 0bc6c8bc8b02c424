"""Building the monthly tallies of app.stats.tallies: one month, or every closed month;
for each, the counts of every scored question and the answer patterns of the elements.

A closed month (its last day is past in the city's time zone) is tallied once; storing a
response of it later forgets the tallies, and the next run builds them again. ``sipas
serve`` runs ``tally_closed_months`` with the report schedule (before the reports, which
read the tallies), ``sipas analytics tally`` from cron or by hand.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, bindparam, text
from sqlmodel import Session

from app import clock, tallied_months
from app.db import writing
from app.months import Month, months_of
from app.stats import tallies
from app.stats.counts import Counts, QuestionCounts, pattern_counts, question_counts
from app.stats.drivers import driver_questions
from app.stats.indicators import IndicatorPlan, elements, indices, plan, scored_questions
from app.stats.query import SatisfactionQuery
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.analytics")
# More criteria, more patterns: the sipas index's are nearly one per response.
PATTERN_CRITERIA = 5
# Rows per write transaction when SQLite publishes a month's tallies: each transaction
# holds the one write lock for tens of milliseconds (moments and drivers rows are kilobytes).
PUBLISH_ROWS = {"": 5000, "month_moment": 200, "month_driver": 200}


Outcome = Literal["tallied", "tallied already", "responses arrived"]


def tally_month(
    session: Session, catalog: FormCatalog, month: str, *, rebuild: bool = False
) -> Outcome:
    """Tally ``month`` from its responses. ``rebuild`` replaces tallies that exist (after
    responses were changed outside the platform, which never updates or deletes one).

    PostgreSQL counts under the month's lock, which holds back writers of that month only.
    SQLite has one lock for every writer, so the month is counted outside it and its rows
    are written in short transactions of their own (``PUBLISH_ROWS`` at a time, a few tens
    of milliseconds each), unread until the month is marked tallied; the mark is written
    only if no response of the month arrived meanwhile (responses are only ever added, so
    their number tells); else the rows go, "responses arrived", and the next run counts
    again. Citizens' submissions wait for one such short transaction at most.
    """
    span = Month.parse(month)
    query = SatisfactionQuery(date_from=span.first_day, date_to=span.last_day, by=("channel",))
    if session.get_bind().dialect.name == "postgresql":
        with writing(session):
            connection = session.connection()
            if tallied_months.lock_for_build(connection, month) and not rebuild:
                return "tallied already"
            tallied_months.forget(connection, [month])
            counted = _counted(session, catalog, query)
            _store(connection, month, counted)
        return "tallied"
    if tallied_months.generations(session.connection(), [month]) and not rebuild:
        return "tallied already"
    with writing(session):
        if rebuild:
            tallied_months.forget(session.connection(), [month])
        claimed = tallied_months.claim(session.connection(), month)
    if claimed is None:
        return "tallied already"
    seen = _in_scope(session, query)
    counted = _counted(session, catalog, query)  # the same snapshot: one read transaction
    _clear_unmarked(session, month, claimed)  # rows of an abandoned build
    for table, rows in _rows(month, counted):
        size = PUBLISH_ROWS.get(table, PUBLISH_ROWS[""])
        for start in range(0, len(rows), size):
            with writing(session):
                # A writer's forget took the claim (and the rows so far): another build
                # may hold the month now, so this one stops writing at once.
                if not tallied_months.holds(session.connection(), month, claimed):
                    return "responses arrived"
                tallies.insert(session.connection(), [(table, rows[start : start + size])])
    responses = int(counted.question_counts[1].sum())
    with writing(session):
        connection = session.connection()
        # A writer of this month forgot the claim, or its number of responses changed.
        if tallied_months.holds(connection, month, claimed) and _in_scope(session, query) == seen:
            tallied_months.mark(connection, month, responses)
            log.info("tallied %s: %d responses", month, responses)
            return "tallied"
        tallied_months.release(connection, month, claimed)
    _clear_unmarked(session, month, None)
    return "responses arrived"


@dataclass(frozen=True)
class _Counted:
    questions: list[str]
    question_counts: QuestionCounts
    patterns: list[tuple[IndicatorPlan, Counts]]
    moments: list[tuple[IndicatorPlan, tallies.KeyedMoments]]
    drivers: tuple[tuple[str, ...], tallies.DriverGroups]


def _counted(session: Session, catalog: FormCatalog, query: SatisfactionQuery) -> _Counted:
    questions = list(scored_questions(catalog))
    plans = [IndicatorPlan(q, (q,), (1.0,), False) for q in questions]
    moments = []
    for index in index_plans(catalog):
        counts = pattern_counts(session, catalog, query, index, None, use_tallies=False)
        moments.append((index, tallies.moments_of_patterns(counts, len(index.questions))))
    driver_questions_, spans = driver_questions(catalog)
    driver_plan = IndicatorPlan("drivers", driver_questions_, (), True)
    driver_patterns = pattern_counts(session, catalog, query, driver_plan, None,
                                     use_tallies=False)  # fmt: skip
    return _Counted(
        questions,
        question_counts(session, catalog, query, plans, None, use_tallies=False),
        [(element, pattern_counts(session, catalog, query, element, None, use_tallies=False))
         for element in element_plans(catalog)],
        moments,
        (driver_questions_, tallies.driver_groups_of_patterns(driver_patterns, spans)),
    )  # fmt: skip


def _rows(month: str, counted: _Counted) -> tallies.Rows:
    keys, responses, tallied = counted.question_counts
    rows = tallies.count_rows(keys, responses, counted.questions, tallied)
    for element, patterns in counted.patterns:
        rows += tallies.pattern_rows(month, element.name, element.questions, patterns)
    for index, moments in counted.moments:
        rows += tallies.moment_rows(month, index.name, index.questions, moments)
    return rows + tallies.driver_rows(month, *counted.drivers)


def _store(connection: Connection, month: str, counted: _Counted) -> None:
    tallies.insert(connection, _rows(month, counted))
    responses = int(counted.question_counts[1].sum())
    tallied_months.mark(connection, month, responses)
    log.info("tallied %s: %d responses", month, responses)


def _clear_unmarked(session: Session, month: str, claimed: str | None) -> None:
    """Rows of ``month`` left by an abandoned or voided build, in short transactions: while
    this build holds ``claimed``, or, with None, while no build claims or marks the month
    (rows then are nobody's)."""
    while True:
        with writing(session):
            connection = session.connection()
            if claimed is None:
                if tallied_months.has_marker(connection, month):
                    return  # another build claimed or tallied it meanwhile: its rows
            elif not tallied_months.holds(connection, month, claimed):
                return
            if not tallied_months.clear_unmarked(connection, month, PUBLISH_ROWS[""]):
                return


def _in_scope(session: Session, query: SatisfactionQuery) -> int:
    statement = text(
        "SELECT COUNT(*) FROM response WHERE local_date >= :first AND local_date <= :last"
        " AND excluded = :excluded"
    ).bindparams(bindparam("first", type_=Date), bindparam("last", type_=Date))
    found = session.connection().execute(
        statement, {"first": query.date_from, "last": query.date_to, "excluded": False}
    )
    return int(found.scalar_one())


def index_plans(catalog: FormCatalog) -> list[IndicatorPlan]:
    """The indices (``sipas`` and those of other services) whose moments a month keeps."""
    return [plan(catalog, name) for name in sorted(indices(catalog))]


def element_plans(catalog: FormCatalog) -> list[IndicatorPlan]:
    """The element indices whose answer patterns a month keeps: at most
    ``PATTERN_CRITERIA`` criteria, so at most 3 ** PATTERN_CRITERIA patterns per cell."""
    found = (plan(catalog, element) for element in elements(catalog, index=None))
    return [p for p in found if p.is_index and len(p.questions) <= PATTERN_CRITERIA]


def closed_months(session: Session, zone: ZoneInfo, now: datetime | None = None) -> list[str]:
    """Months from the first response's to the last one that has ended, not yet tallied."""
    today = (now or clock.now()).astimezone(zone).date()
    first = session.connection().execute(text("SELECT MIN(local_date) FROM response")).scalar()
    if first is None:
        return []
    if isinstance(first, str):  # SQLite hands an aggregate's date back as text
        first = datetime.strptime(first, "%Y-%m-%d").date()
    ended = [m for m in months_of(first, today) if Month.parse(m).last_day < today]
    done = tallied_months.generations(session.connection(), ended)
    return [month for month in ended if month not in done]


def tally_closed_months(
    session: Session, catalog: FormCatalog, zone: ZoneInfo, now: datetime | None = None
) -> list[str]:
    """Tally every closed month that is not; the months this call tallied (not those
    another process tallied meanwhile, nor those whose responses arrived as it counted)."""
    return [
        month
        for month in closed_months(session, zone, now)
        if tally_month(session, catalog, month) == "tallied"
    ]

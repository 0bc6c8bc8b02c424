"""Building the monthly tallies of app.stats.tallies: one month, or every closed month;
for each, the counts of every scored question and the answer patterns of the elements.

A closed month (its last day is past in the city's time zone) is tallied once; storing a
response of it later forgets the tallies, and the next run builds them again. ``sipas
serve`` runs ``tally_closed_months`` with the report schedule (before the reports, which
read the tallies), ``sipas analytics tally`` from cron or by hand.
"""

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from app.db import writing
from app.months import Month, months_of
from app.stats import tallies
from app.stats.indicators import IndicatorPlan, elements, plan, scored_questions
from app.stats.service import SatisfactionQuery, pattern_counts, question_counts
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.analytics")
# More criteria, more patterns: the sipas index's are nearly one per response.
PATTERN_CRITERIA = 5


def tally_month(
    session: Session, catalog: FormCatalog, month: str, *, rebuild: bool = False
) -> bool:
    """Tally ``month`` from its responses; False when it was tallied already. ``rebuild``
    replaces tallies that exist (after responses were changed outside the platform, which
    never updates or deletes one)."""
    questions = list(scored_questions(catalog))
    plans = [IndicatorPlan(q, (q,), (1.0,), False) for q in questions]
    span = Month.parse(month)
    query = SatisfactionQuery(date_from=span.first_day, date_to=span.last_day, by=("channel",))
    with writing(session):
        connection = session.connection()
        if tallies.lock_for_build(connection, month):
            if not rebuild:
                return False
            tallies.forget(connection, [month])
        keys, responses, counted = question_counts(
            session, catalog, query, plans, None, use_tallies=False
        )
        tallies.store(connection, month, keys, responses, questions, counted)
        for element in element_plans(catalog):
            patterns = pattern_counts(session, catalog, query, element, None, use_tallies=False)
            tallies.store_patterns(connection, month, element.name, element.questions, patterns)
    log.info("tallied %s: %d responses", month, int(responses.sum()))
    return True


def element_plans(catalog: FormCatalog) -> list[IndicatorPlan]:
    """The element indices whose answer patterns a month keeps: at most
    ``PATTERN_CRITERIA`` criteria, so at most 3 ** PATTERN_CRITERIA patterns per cell."""
    found = (plan(catalog, element) for element in elements(catalog, index=None))
    return [p for p in found if p.is_index and len(p.questions) <= PATTERN_CRITERIA]


def closed_months(session: Session, zone: ZoneInfo, now: datetime | None = None) -> list[str]:
    """Months from the first response's to the last one that has ended, not yet tallied."""
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    first = session.connection().execute(text("SELECT MIN(local_date) FROM response")).scalar()
    if first is None:
        return []
    if isinstance(first, str):  # SQLite hands an aggregate's date back as text
        first = datetime.strptime(first, "%Y-%m-%d").date()
    ended = [m for m in months_of(first, today) if Month.parse(m).last_day < today]
    done = tallies.generations(session.connection(), ended)
    return [month for month in ended if month not in done]


def tally_closed_months(
    session: Session, catalog: FormCatalog, zone: ZoneInfo, now: datetime | None = None
) -> list[str]:
    """Tally every closed month that is not; the months this call tallied."""
    return [
        month for month in closed_months(session, zone, now) if tally_month(session, catalog, month)
    ]

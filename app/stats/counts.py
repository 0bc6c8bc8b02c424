"""Every SQL text of the analytics: the period's in-scope responses reduced to counts per
(cell, domain keys, answer pattern), or to an index's moments and the drivers' groups,
from the tallied months where they are kept and from the responses elsewhere. Raw rows
never travel to Python.
"""

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from app import tallied_months
from app.months import Month, months_of
from app.stats import tallies
from app.stats.indicators import IndicatorPlan, stand_ins
from app.stats.query import SatisfactionQuery
from app.surveys.forms import CODE_ALPHABET, Choice3, FormCatalog, Likert5

SATISFIED_STATE = "S"  # an answer pattern: one of these per question
UNSATISFIED_STATE = "U"
NO_ANSWER_STATE = "."


def _state_sql(catalog: FormCatalog, questions: Sequence[str], index: bool) -> str:
    """SQL for the answer pattern: one character per question, S, U or '.'.

    For an index, a form that asks an element as one question answers each of the
    element's criteria with it. Form ids and positions come from the validated form
    catalogue, never from a request.
    """
    substitutes = stand_ins(catalog) if index else {}
    branches = []
    for loaded in catalog.loaded():
        form = loaded.definition
        parts = []
        for asked in questions:
            qid = asked if asked in form.by_id else substitutes.get(asked, asked)
            position = form.slot_index.get(qid)
            question = form.by_id.get(qid)
            if position is None or question is None:
                parts.append(f"'{NO_ANSWER_STATE}'")
                continue
            if not isinstance(question, Likert5 | Choice3):
                parts.append(f"'{NO_ANSWER_STATE}'")
                continue
            cases = " ".join(f"WHEN '{CODE_ALPHABET[c]}' THEN '{SATISFIED_STATE}'"
                             for c in question.satisfied_codes)  # fmt: skip
            cases += " " + " ".join(f"WHEN '{CODE_ALPHABET[c]}' THEN '{UNSATISFIED_STATE}'"
                                    for c in question.unsatisfied_codes)  # fmt: skip
            parts.append(f"(CASE substr(answer_codes, {position + 1}, 1) {cases} ELSE '.' END)")
        if all(part == f"'{NO_ANSWER_STATE}'" for part in parts):
            continue
        branches.append(
            f"WHEN form_id = '{form.id}' AND form_version = {form.version} "
            f"THEN {' || '.join(parts)}"
        )
    blank = "'" + NO_ANSWER_STATE * len(questions) + "'"
    if not branches:
        return blank
    return f"(CASE {' '.join(branches)} ELSE {blank} END)"


Counts = list[tuple[int, str, str, str | None, str, int]]
"""(unit id, sector, month, channel or None, answer pattern, responses)."""


DateRange = tuple[date, date]


def _grouped(
    session: Session,
    query: SatisfactionQuery,
    unit_ids: frozenset[int] | None,
    columns: str,
    group: str,
    ranges: Sequence[DateRange] | None = None,
) -> list[Any]:
    """The in-scope responses of ``ranges`` (by default the query's period), grouped by
    cell (and channel) and ``group``."""
    ranges = [(query.date_from, query.date_to)] if ranges is None else ranges
    channel = ", channel" if query.groups_by_channel else ""
    scope = tallies.unit_scope(unit_ids)
    dates = " OR ".join(
        f"(local_date >= :from_{i} AND local_date <= :to_{i})" for i in range(len(ranges))
    )
    stream = _STREAMS[query.stream]
    # Built from the form catalogue and integers only: nothing of the request is spliced in.
    statement = text(
        f"SELECT unit_id, sector_code, month{channel}, {columns} FROM response"  # noqa: S608
        f" WHERE ({dates}) AND excluded = :excluded{stream}"
        f"{scope} GROUP BY unit_id, sector_code, month{channel}{group}"
    ).bindparams(
        *(bindparam(f"{end}_{i}", type_=Date) for i in range(len(ranges)) for end in ("from", "to"))
    )
    parameters: dict[str, Any] = {"excluded": False}
    for i, (first, last) in enumerate(ranges):
        parameters[f"from_{i}"], parameters[f"to_{i}"] = first, last
    result = session.connection().execute(statement, parameters)
    # The driver's own cursor: the rows are plain tuples, thousands of them.
    rows = list(result.cursor.fetchall()) if result.cursor is not None else []
    if channel:
        return rows
    return [(unit_id, sector, month, None, *rest) for unit_id, sector, month, *rest in rows]


# The streams of responses, told apart by how they came (fixed text: nothing spliced in).
_SAMPLED = "SELECT id FROM invitation WHERE draw_id IS NOT NULL"
_STREAMS = {
    None: "",
    "sampled": f" AND invitation_id IN ({_SAMPLED})",
    "counter": f" AND (invitation_id IS NULL OR invitation_id NOT IN ({_SAMPLED}))",
}


def pattern_counts(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    indicator: IndicatorPlan,
    unit_ids: frozenset[int] | None,
    *,
    use_tallies: bool = True,
) -> Counts:
    """An index's counts: responses per cell, domain keys and answer pattern, sorted.

    Months that keep this element's patterns (app.stats.tallies) are read from them.
    """
    pattern = _state_sql(catalog, indicator.questions, indicator.is_index)

    def from_responses(ranges: list[DateRange]) -> Counts:
        if not ranges:
            return []
        rows = _grouped(session, query, unit_ids, f"{pattern} AS pattern, COUNT(*)",
                        ", pattern", ranges)  # fmt: skip
        return [(u, s, m, c, p, int(n)) for u, s, m, c, p, n in rows]

    def from_tallies(months: list[str]) -> Counts:
        return tallies.read_patterns(session.connection(), months, indicator.name, unit_ids,
                                     query.groups_by_channel)  # fmt: skip

    def usable(months: list[str]) -> list[str]:
        return tallies.planned_months(session.connection(), "patterns", months,
                                      indicator.name, indicator.questions)  # fmt: skip

    whole = [(query.date_from, query.date_to)]
    found = (
        _tallied_or_counted(session, query, from_responses, from_tallies, list.__add__, usable)
        if use_tallies
        else from_responses(whole)
    )
    # In one order whichever way they were read, so the estimates agree to the last bit.
    return sorted(found, key=lambda row: row[:5])


def index_moments(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    indicator: IndicatorPlan,
    unit_ids: frozenset[int] | None,
) -> tallies.KeyedMoments:
    """An index's second moments per cell key: from the tallied months' moments, the rest
    from the responses' answer patterns (the same integers either way)."""
    pattern = _state_sql(catalog, indicator.questions, True)
    width = len(indicator.questions)

    def from_responses(ranges: list[DateRange]) -> tallies.KeyedMoments:
        rows = _grouped(session, query, unit_ids, f"{pattern} AS pattern, COUNT(*)",
                        ", pattern", ranges) if ranges else []  # fmt: skip
        return tallies.moments_of_patterns(
            [(u, s, m, c, p, int(n)) for u, s, m, c, p, n in rows], width
        )

    def from_tallies(months: list[str]) -> tallies.KeyedMoments:
        return tallies.read_moments(session.connection(), months, indicator.name, width,
                                    unit_ids, query.groups_by_channel)  # fmt: skip

    def usable(months: list[str]) -> list[str]:
        return tallies.planned_months(session.connection(), "moments", months,
                                      indicator.name, indicator.questions)  # fmt: skip

    return _tallied_or_counted(
        session, query, from_responses, from_tallies, tallies.KeyedMoments.joined, usable
    ).in_key_order()


def driver_groups(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    questions: Sequence[str],
    spans: Sequence[tuple[int, int]],
    unit_ids: frozenset[int] | None,
) -> tallies.DriverGroups:
    """The drivers model's groups per cell key (``questions``: overall, then each element's
    criteria at ``spans``): tallied months' from their groups, the rest from the responses."""
    pattern = _state_sql(catalog, questions, True)

    def from_responses(ranges: list[DateRange]) -> tallies.DriverGroups:
        rows = _grouped(session, query, unit_ids, f"{pattern} AS pattern, COUNT(*)",
                        ", pattern", ranges) if ranges else []  # fmt: skip
        return tallies.driver_groups_of_patterns(
            [(u, s, m, c, p, int(n)) for u, s, m, c, p, n in rows], spans
        )

    def from_tallies(months: list[str]) -> tallies.DriverGroups:
        return tallies.read_drivers(session.connection(), months, len(spans), unit_ids,
                                    query.groups_by_channel)  # fmt: skip

    def usable(months: list[str]) -> list[str]:
        return tallies.planned_months(session.connection(), "moments", months, "drivers",
                                      questions)  # fmt: skip

    return _tallied_or_counted(
        session, query, from_responses, from_tallies, tallies.DriverGroups.joined, usable
    ).in_key_order()


def question_counts(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    plans: list[IndicatorPlan],
    unit_ids: frozenset[int] | None,
    *,
    use_tallies: bool = True,
) -> tuple[list[tallies.CellKey], NDArray[np.int64], NDArray[np.int64]]:
    """Single-question indicators: per cell (and channel), the responses, and for each
    question how many were satisfied and how many not (columns 2q, 2q + 1).

    Months of the period that are tallied (app.stats.tallies) are read from their tallies,
    the rest from the responses, in one scan for all questions.
    """
    questions = [item.questions[0] for item in plans]

    def from_responses(ranges: list[DateRange]) -> QuestionCounts:
        return _counted_responses(session, catalog, query, plans, unit_ids, ranges)

    def from_tallies(months: list[str]) -> QuestionCounts:
        return tallies.read(session.connection(), months, questions, unit_ids,
                            query.groups_by_channel)  # fmt: skip

    def combine(one: QuestionCounts, other: QuestionCounts) -> QuestionCounts:
        return (
            one[0] + other[0],
            np.concatenate([one[1], other[1]]),
            np.concatenate([one[2], other[2]]),
        )

    whole = [(query.date_from, query.date_to)]
    found = (
        _tallied_or_counted(session, query, from_responses, from_tallies, combine)
        if use_tallies
        else from_responses(whole)
    )
    return _in_key_order(found)


QuestionCounts = tuple[list[tallies.CellKey], NDArray[np.int64], NDArray[np.int64]]
_Found = TypeVar("_Found")


def _tallied_or_counted(
    session: Session,
    query: SatisfactionQuery,
    from_responses: Callable[[list[DateRange]], _Found],
    from_tallies: Callable[[list[str]], _Found],
    combine: Callable[[_Found, _Found], _Found],
    usable: Callable[[list[str]], list[str]] | None = None,
) -> _Found:
    """The period's counts: its tallied months (those of them ``usable`` says) from their
    tallies, the rest from the responses."""
    if query.stream is not None:  # tallies count cells, not streams
        return from_responses([(query.date_from, query.date_to)])
    connection = session.connection()
    whole = [m for m in months_of(query.date_from, query.date_to) if _inside(m, query)]
    for _ in range(_READ_ATTEMPTS):
        tallied = tallied_months.generations(connection, whole)
        if usable is not None and tallied:
            kept = set(usable(sorted(tallied)))
            tallied = {month: g for month, g in tallied.items() if month in kept}
        found = from_responses(_untallied(query, set(tallied)))
        if tallied:
            found = combine(found, from_tallies(sorted(tallied)))
        # Unchanged generations: nothing was built or forgotten while this read.
        if tallied_months.generations(connection, sorted(tallied)) == tallied:
            return found
    return from_responses([(query.date_from, query.date_to)])


def _in_key_order(counts: QuestionCounts) -> QuestionCounts:
    """Rows sorted by cell key: the sums of the estimates then run in one order, whichever
    way the counts were read (tallies, responses, a hash aggregate), to the last bit."""
    keys, totals, counted = counts
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], totals[order], counted[order]


# A reader racing builds and writes of the same months reads again, then from responses.
_READ_ATTEMPTS = 3


def _inside(month: str, query: SatisfactionQuery) -> bool:
    span = Month.parse(month)
    return query.date_from <= span.first_day and span.last_day <= query.date_to


def _untallied(query: SatisfactionQuery, tallied: set[str]) -> list[DateRange]:
    """The query's period without the tallied months, as date ranges."""
    ranges: list[DateRange] = []
    start = query.date_from
    for month in sorted(tallied):
        span = Month.parse(month)
        if start < span.first_day:
            ranges.append((start, span.first_day - timedelta(days=1)))
        start = span.last_day + timedelta(days=1)
    if start <= query.date_to:
        ranges.append((start, query.date_to))
    return ranges


def _counted_responses(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    plans: list[IndicatorPlan],
    unit_ids: frozenset[int] | None,
    ranges: list[DateRange],
) -> QuestionCounts:
    if not ranges:
        empty = np.zeros((0, 2 * len(plans)), dtype=np.int64)
        return [], np.zeros(0, dtype=np.int64), empty
    # One sum per question carries both tallies: satisfied in the low 32 bits, not
    # satisfied above them. Each answer's state is then worked out once, not twice.
    sums = []
    for item in plans:
        state = _state_sql(catalog, item.questions, False)
        sums.append(
            f"SUM(CASE {state} WHEN '{SATISFIED_STATE}' THEN 1 "
            f"WHEN '{UNSATISFIED_STATE}' THEN {tallies.PACKED_HIGH} ELSE 0 END)"
        )
    rows = _grouped(session, query, unit_ids, ", ".join(["COUNT(*)", *sums]), "", ranges)
    keys = [(row[0], row[1], row[2], row[3]) for row in rows]
    totals = np.array([row[4] for row in rows], dtype=np.int64)
    packed = np.array([row[5:] for row in rows], dtype=np.int64).reshape(len(rows), len(plans))
    counted = np.empty((len(rows), 2 * len(plans)), dtype=np.int64)
    counted[:, 0::2] = packed % tallies.PACKED_HIGH
    counted[:, 1::2] = packed // tallies.PACKED_HIGH
    return keys, totals, counted

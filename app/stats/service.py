"""Satisfaction estimates from the database: one GROUP BY, then the analytics library.

The database reduces the period's in-scope responses to counts per (cell, domain keys,
answer pattern), where a pattern says for each indicator question whether the response
answered it and was satisfied. Raw rows never travel to Python.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import product
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, col, func, select

import analytics
from app.models import CHANNELS, Sector, Target, Unit, Volume
from app.months import Month, months_of
from app.principals import Principal
from app.stats import tallies
from app.stats.indicators import (
    SIPAS,
    IndicatorPlan,
    indices,
    plan,
    question_plans,
    stand_ins,
)
from app.stats.rows import ROW_FIELDS
from app.surveys.forms import CODE_ALPHABET, Choice3, FormCatalog, Likert5

BY_KEYS = ("sector", "unit", "channel", "month", "question")
_CELL_KEYS = ("unit", "sector", "month")
_SATISFIED = "S"
_UNSATISFIED = "U"
_NONE = "."


@dataclass(frozen=True)
class SatisfactionQuery:
    """The parameters of docs/contracts.md §4, validated by the caller."""

    date_from: date
    date_to: date
    by: tuple[str, ...] = ()
    indicator: str = "overall"
    weighting: analytics.Weighting | None = None
    interval: analytics.Interval = "logit"
    level: float = 0.95
    # Restrictions to one domain (the plan's indicators: a channel, a group of sectors),
    # and the target indicator their rows are read against.
    sectors: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    target_indicator: str | None = None
    small_sample: int = analytics.SMALL_SAMPLE

    @property
    def groups_by_channel(self) -> bool:
        return "channel" in self.by or self.channels is not None

    def in_scope(self, sector: str, channel: str | None) -> bool:
        return (self.sectors is None or sector in self.sectors) and (
            self.channels is None or channel in self.channels
        )

    def echo(self, weighting: str) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "by": list(self.by),
            "indicator": self.indicator,
            "weighting": weighting,
            "ci": self.interval,
            "level": self.level,
        }


@dataclass
class SatisfactionResult:
    query: dict[str, Any]
    rows: list[dict[str, Any]]
    unweighted_cells: list[dict[str, Any]] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What a reader of the rows must know: raked weights that missed a margin."""
        gaps = [row["raking_gap"] for row in self.rows if row.get("raking_gap") is not None]
        worst = max(gaps, default=0.0)
        if worst <= analytics.RAKE_GAP_WARNING:
            return []
        return [
            f"raked weights miss a margin by {worst:.2%} (relative) after "
            f"{analytics.RAKE_MAX_SWEEPS} sweeps: the period's unit and sector totals "
            "disagree (e.g. part of a month against monthly volumes); read these rates "
            "as approximate, or use weighting=poststratified"
        ]

    def document(self) -> dict[str, Any]:
        """The JSON body the API and the CLI give."""
        return {
            "query": self.query,
            "rows": self.rows,
            "unweighted_cells": self.unweighted_cells,
            "warnings": self.warnings,
        }


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
                parts.append(f"'{_NONE}'")
                continue
            if not isinstance(question, Likert5 | Choice3):
                parts.append(f"'{_NONE}'")
                continue
            cases = " ".join(f"WHEN '{CODE_ALPHABET[c]}' THEN '{_SATISFIED}'"
                             for c in question.satisfied_codes)  # fmt: skip
            cases += " " + " ".join(f"WHEN '{CODE_ALPHABET[c]}' THEN '{_UNSATISFIED}'"
                                    for c in question.unsatisfied_codes)  # fmt: skip
            parts.append(f"(CASE substr(answer_codes, {position + 1}, 1) {cases} ELSE '.' END)")
        if all(part == f"'{_NONE}'" for part in parts):
            continue
        branches.append(
            f"WHEN form_id = '{form.id}' AND form_version = {form.version} "
            f"THEN {' || '.join(parts)}"
        )
    blank = "'" + _NONE * len(questions) + "'"
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
    # Built from the form catalogue and integers only: nothing of the request is spliced in.
    statement = text(
        f"SELECT unit_id, sector_code, month{channel}, {columns} FROM response"  # noqa: S608
        f" WHERE ({dates}) AND excluded = :excluded"
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
        return tallies.pattern_months(session.connection(), months, indicator.name,
                                      indicator.questions)  # fmt: skip

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
        return tallies.moment_months(session.connection(), months, indicator.name,
                                     indicator.questions)  # fmt: skip

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
        return tallies.moment_months(session.connection(), months, "drivers", questions)

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
    connection = session.connection()
    whole = [m for m in months_of(query.date_from, query.date_to) if _inside(m, query)]
    for _ in range(_READ_ATTEMPTS):
        tallied = tallies.generations(connection, whole)
        if usable is not None and tallied:
            kept = set(usable(sorted(tallied)))
            tallied = {month: g for month, g in tallied.items() if month in kept}
        found = from_responses(_untallied(query, set(tallied)))
        if tallied:
            found = combine(found, from_tallies(sorted(tallied)))
        # Unchanged generations: nothing was built or forgotten while this read.
        if tallies.generations(connection, sorted(tallied)) == tallied:
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
            f"SUM(CASE {state} WHEN '{_SATISFIED}' THEN 1 "
            f"WHEN '{_UNSATISFIED}' THEN {tallies.PACKED_HIGH} ELSE 0 END)"
        )
    rows = _grouped(session, query, unit_ids, ", ".join(["COUNT(*)", *sums]), "", ranges)
    keys = [(row[0], row[1], row[2], row[3]) for row in rows]
    totals = np.array([row[4] for row in rows], dtype=np.int64)
    packed = np.array([row[5:] for row in rows], dtype=np.int64).reshape(len(rows), len(plans))
    counted = np.empty((len(rows), 2 * len(plans)), dtype=np.int64)
    counted[:, 0::2] = packed % tallies.PACKED_HIGH
    counted[:, 1::2] = packed // tallies.PACKED_HIGH
    return keys, totals, counted


def _target_for(
    targets: list[Target], indicator: str, sector: str | None, year: int
) -> float | None:
    """The threshold in force in ``year``; outside every span, the nearest one."""
    candidates = [t for t in targets if t.indicator == indicator and t.sector_code == sector]
    if not candidates:
        return None

    def distance(target: Target) -> int:
        if target.valid_from_year <= year <= target.valid_to_year:
            return 0
        return min(abs(year - target.valid_from_year), abs(year - target.valid_to_year))

    return min(candidates, key=distance).threshold


@dataclass
class Frame:
    """The grouped rows of one query, placed in the design: cells, domains, weights."""

    cell: NDArray[np.intp]  # per row; -1 where the row's cell is left out (no volumes)
    domain: NDArray[np.intp]  # per row
    domain_keys: tuple[str, ...]
    domains: list[tuple[Any, ...]]  # (in scope, *key values) per domain index
    cell_size: NDArray[np.int64]
    weights: analytics.Weights
    unweighted: list[dict[str, Any]]
    coverage: dict[int, float]


def build_frame(
    keys: list[tuple[int, str, str, str | None]],
    totals: NDArray[np.int64],
    query: SatisfactionQuery,
    weighting: analytics.Weighting,
    volumes: dict[tuple[int, str, str], int],
    unit_codes: dict[int | None, str],
) -> Frame:
    domain_keys = tuple(key for key in query.by if key != "question")
    cells: dict[tuple[int, str, str], int] = {}
    domains: dict[tuple[Any, ...], int] = {}
    unweighted_sizes: dict[tuple[int, str, str], int] = defaultdict(int)
    # An index's rows repeat each cell key once per answer pattern: the keys are placed
    # once each, in order of first appearance (so cells and domains are numbered as if
    # every row were visited), and the rows take their key's place.
    first_seen: dict[tuple[int, str, str, str | None], int] = {}
    inverse = np.fromiter((first_seen.setdefault(key, len(first_seen)) for key in keys),
                          dtype=np.intp, count=len(keys))  # fmt: skip
    key_totals = np.bincount(inverse, totals, len(first_seen))
    key_cell = np.empty(len(first_seen), dtype=np.intp)
    key_domain = np.empty(len(first_seen), dtype=np.intp)
    covered: dict[int, set[tuple[int, str, str]]] = defaultdict(set)
    for position, (unit_id, sector, month, channel) in enumerate(first_seen):
        cell = (unit_id, sector, month)
        values = {"unit": unit_id, "sector": sector, "month": month, "channel": channel}
        # Responses outside the query's scope stay in the design (their cells keep their
        # n_h) but fall in a domain of their own, which is not reported.
        key = (query.in_scope(sector, channel), *(values[k] for k in domain_keys))
        key_domain[position] = domains.setdefault(key, len(domains))
        if weighting == "none":
            key_cell[position] = 0
        elif cell in volumes:
            key_cell[position] = cells.setdefault(cell, len(cells))
            covered[int(key_domain[position])].add(cell)
        else:
            key_cell[position] = -1
            unweighted_sizes[cell] += int(key_totals[position])
        if weighting == "none" and cell in volumes:
            covered[int(key_domain[position])].add(cell)
    row_cell, row_domain = key_cell[inverse], key_domain[inverse]
    kept = row_cell >= 0
    cell_count = 1 if weighting == "none" else len(cells)
    cell_size = np.bincount(row_cell[kept], totals[kept], cell_count).astype(np.int64)
    cell_list = list(cells)
    if weighting == "none":
        weights = analytics.unweighted(cell_size)
    elif weighting == "poststratified":
        dossiers = np.array([volumes[c] for c in cell_list], dtype=np.float64)
        weights = analytics.poststratified(cell_size, dossiers)
    else:
        weights = analytics.raked(cell_size, _raking_margins(cell_list, volumes))
    unweighted = [
        {"unit": unit_codes.get(unit_id), "sector": sector, "month": month, "responses": size}
        for (unit_id, sector, month), size in sorted(unweighted_sizes.items())
    ]
    coverage = _coverage(domain_keys, domains, covered, volumes, query)
    return Frame(
        row_cell, row_domain, domain_keys, list(domains), cell_size, weights, unweighted, coverage
    )


def resolved_weighting(
    session: Session, query: SatisfactionQuery, principal: Principal | None = None
) -> analytics.Weighting:
    """The weighting a query gets: the one it names, else post-stratified when the period
    has volumes (within a unit key's units), else none."""
    if query.weighting is not None:
        return query.weighting
    statement = (
        select(func.count())
        .select_from(Volume)
        .where(col(Volume.month).in_(months_of(query.date_from, query.date_to)))
    )
    if principal is not None and principal.role == "unit":
        statement = statement.where(col(Volume.unit_id).in_(principal.unit_ids))
    return "poststratified" if session.exec(statement).one() else "none"


def satisfaction(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    principal: Principal | None = None,
    units: frozenset[int] | None = None,
) -> SatisfactionResult:
    """Rows of docs/contracts.md §4 for ``query``.

    ``units`` narrows the design to those units (a drill-down): its cells are strata, so a
    unit's post-stratified figures are those of its row in a query over every unit.
    """
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    if units is not None:
        unit_ids = units if unit_ids is None else unit_ids & units
    months = months_of(query.date_from, query.date_to)
    volume_rows = session.connection().execute(
        select(Volume.unit_id, Volume.sector_code, Volume.month, Volume.dossiers).where(
            Volume.month.in_(months)  # type: ignore[attr-defined]
        )
    )
    volumes = {
        (unit_id, sector, month): dossiers
        for unit_id, sector, month, dossiers in volume_rows
        if unit_ids is None or unit_id in unit_ids
    }
    weighting: analytics.Weighting = query.weighting or ("poststratified" if volumes else "none")
    unit_codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    context = _Context(query, unit_codes, list(session.exec(select(Target))), query.date_to.year)
    plans = (
        question_plans(catalog, query.indicator)
        if "question" in query.by
        else [plan(catalog, query.indicator)]
    )
    rows: list[dict[str, Any]] = []
    unweighted: list[dict[str, Any]] = []
    if any(item.is_index for item in plans):
        for item in plans:
            if item.name in indices(catalog):
                moments = index_moments(session, catalog, query, item, unit_ids)
                frame = build_frame(moments.keys, moments.responses, query, weighting, volumes,
                                    unit_codes)  # fmt: skip
                found = _rows_from_moments(frame, item, context, moments)
                rows.extend(found or _empty_rows(session, query, item, unit_ids, context))
                unweighted = unweighted or frame.unweighted
                continue
            counts = pattern_counts(session, catalog, query, item, unit_ids)
            keys = [(u, s, m, c) for u, s, m, c, _, _ in counts]
            sizes = np.array([n for *_, n in counts], dtype=np.int64)
            frame = build_frame(keys, sizes, query, weighting, volumes, unit_codes)
            # The patterns side by side, one byte per answer: (groups, questions).
            states = np.frombuffer(
                "".join(pattern for *_, pattern, _ in counts).encode("ascii"), dtype=np.uint8
            ).reshape(len(counts), len(item.questions))
            answered = states != ord(_NONE)
            satisfied = states == ord(_SATISFIED)
            found = _rows_for(frame, item, context, sizes, answered, satisfied)
            rows.extend(found or _empty_rows(session, query, item, unit_ids, context))
            unweighted = unweighted or frame.unweighted
    else:
        keys, totals, tallies = question_counts(session, catalog, query, plans, unit_ids)
        frame = build_frame(keys, totals, query, weighting, volumes, unit_codes)
        unweighted = frame.unweighted
        states = np.array([[True, True], [True, False], [False, False]])
        for position, item in enumerate(plans):
            yes, no = tallies[:, 2 * position], tallies[:, 2 * position + 1]
            # Three groups per row: satisfied, not satisfied, no answer.
            tallied = np.concatenate([yes, no, totals - yes - no])
            answered = np.repeat(states[:, :1], len(keys), axis=0)
            satisfied = np.repeat(states[:, 1:], len(keys), axis=0)
            found = _rows_for(frame, item, context, tallied, answered, satisfied, tiles=3)
            rows.extend(found or _empty_rows(session, query, item, unit_ids, context))
    return SatisfactionResult(query.echo(weighting), rows, unweighted)


@dataclass(frozen=True)
class _Context:
    query: SatisfactionQuery
    unit_codes: dict[int | None, str]
    targets: list[Target]
    year: int


def _empty_rows(
    session: Session,
    query: SatisfactionQuery,
    indicator: IndicatorPlan,
    unit_ids: frozenset[int] | None,
    context: "_Context",
) -> list[dict[str, Any]]:
    """A period without responses: every domain of the query, with n = 0 and no rate."""
    units = session.exec(select(Unit.code).where(Unit.level != "city").order_by(Unit.code))
    if unit_ids is not None:
        units = session.exec(select(Unit.code).where(Unit.id.in_(unit_ids)))  # type: ignore[union-attr]
    values: dict[str, list[Any]] = {
        "sector": sorted(query.sectors or session.exec(select(Sector.code)).all()),
        "channel": sorted(query.channels or CHANNELS),
        "month": months_of(query.date_from, query.date_to),
        "unit": sorted(units.all()),
    }
    domain_keys = [key for key in query.by if key != "question"]
    rows = []
    for combination in product(*(values[key] for key in domain_keys)):
        keys: dict[str, Any] = dict(zip(domain_keys, combination, strict=True))
        target = _domain_target(keys, indicator, context)
        if "question" in query.by:
            keys["question"] = indicator.name
        rows.append(
            {
                **keys,
                **dict.fromkeys(ROW_FIELDS),
                "n": 0,
                "not_answered": 0,
                "df": 0,
                "target": None if np.isnan(target) else target,
                "small_sample": True,
                "coverage": 0.0,
                "lonely_cells": 0,
            }
        )
    return rows


def _rows_for(
    frame: Frame,
    indicator: IndicatorPlan,
    context: _Context,
    counts: NDArray[np.int64],
    answered: NDArray[np.bool_],
    satisfied: NDArray[np.bool_],
    tiles: int = 1,
) -> list[dict[str, Any]]:
    """The estimate rows of one indicator over the frame's domains (in-scope ones only)."""
    cell = np.tile(frame.cell, tiles)
    domain = np.tile(frame.domain, tiles)
    kept = (cell >= 0) & (counts > 0)
    if not any(frame.domains[d][0] for d in np.unique(domain[kept])):
        return []
    sample = analytics.Sample(
        cell=cell[kept],
        domain=domain[kept],
        count=counts[kept],
        answered=answered[kept].reshape(-1, len(indicator.questions)),
        satisfied=satisfied[kept].reshape(-1, len(indicator.questions)),
        cell_size=frame.cell_size,
        n_domains=len(frame.domains),
    )
    labelled = [dict(zip(frame.domain_keys, key[1:], strict=True)) for key in frame.domains]
    estimates = analytics.estimate(
        sample,
        frame.weights,
        np.array(indicator.coefficients, dtype=np.float64),
        targets=_targets(labelled, indicator, context),
        interval=context.query.interval,
        level=context.query.level,
        small_sample=context.query.small_sample,
        index=indicator.is_index,
    )
    return _labelled_rows(frame, indicator, context, labelled, estimates)


def _rows_from_moments(
    frame: Frame, indicator: IndicatorPlan, context: _Context, moments: tallies.KeyedMoments
) -> list[dict[str, Any]]:
    """An index's rows over the frame's domains, from its moments per cell key."""
    kept = (frame.cell >= 0) & (moments.responses > 0)
    if not any(frame.domains[d][0] for d in np.unique(frame.domain[kept])):
        return []
    sums = analytics.Moments(
        cell=frame.cell[kept], domain=frame.domain[kept], count=moments.responses[kept],
        none_answered=moments.none_answered[kept], answered=moments.answered[kept],
        satisfied=moments.satisfied[kept], ss=moments.ss[kept], sa=moments.sa[kept],
        aa=moments.aa[kept], cell_size=frame.cell_size, n_domains=len(frame.domains),
    )  # fmt: skip
    labelled = [dict(zip(frame.domain_keys, key[1:], strict=True)) for key in frame.domains]
    estimates = analytics.estimate_index(
        sums,
        frame.weights,
        np.array(indicator.coefficients, dtype=np.float64),
        targets=_targets(labelled, indicator, context),
        interval=context.query.interval,
        level=context.query.level,
        small_sample=context.query.small_sample,
    )
    return _labelled_rows(frame, indicator, context, labelled, estimates)


def _targets(
    labelled: list[dict[str, Any]], indicator: IndicatorPlan, context: _Context
) -> NDArray[np.float64]:
    return np.array(
        [_domain_target(keys, indicator, context) for keys in labelled], dtype=np.float64
    )


def _labelled_rows(
    frame: Frame,
    indicator: IndicatorPlan,
    context: _Context,
    labelled: list[dict[str, Any]],
    estimates: list[analytics.Estimate],
) -> list[dict[str, Any]]:
    rows = []
    for index in sorted(range(len(frame.domains)), key=lambda i: _readable(labelled[i], context)):
        if not frame.domains[index][0]:
            continue
        keys: dict[str, Any] = dict(labelled[index])
        if "unit" in keys:
            keys["unit"] = context.unit_codes.get(keys["unit"])
        if "question" in context.query.by:
            keys["question"] = indicator.name
        values = {
            **asdict(estimates[index]),
            "coverage": frame.coverage.get(index, 0.0),
            "raking_gap": frame.weights.raking_gap,
        }
        rows.append({**keys, **{name: values[name] for name in ROW_FIELDS}})
    return rows


def _readable(keys: dict[str, Any], context: _Context) -> tuple[str, ...]:
    labelled = dict(keys)
    if "unit" in labelled:
        labelled["unit"] = context.unit_codes.get(labelled["unit"])
    return tuple(str(value) for value in labelled.values())


def _domain_target(keys: dict[str, Any], indicator: IndicatorPlan, context: "_Context") -> float:
    query, targets, year = context.query, context.targets, context.year
    if query.target_indicator is not None:
        found = _target_for(targets, query.target_indicator, None, year)
    elif indicator.name == SIPAS:
        found = _target_for(targets, SIPAS, None, year)
    elif "sector" in keys:
        found = _target_for(targets, "sector", keys["sector"], year)
    else:
        found = _target_for(targets, "procedure_handling", None, year)
    return float("nan") if found is None else found


def _raking_margins(
    cells: list[tuple[int, str, str]], volumes: dict[tuple[int, str, str], int]
) -> tuple[tuple[Any, Any], ...]:
    """Unit and sector margins: each sampled cell's category and each category's dossiers."""
    margins = []
    for position in (0, 1):
        categories: dict[Any, int] = {}
        category = np.array([categories.setdefault(c[position], len(categories)) for c in cells])
        totals = np.zeros(len(categories))
        for cell, dossiers in volumes.items():
            if cell[position] in categories:
                totals[categories[cell[position]]] += dossiers
        margins.append((category.astype(np.intp), totals))
    return tuple(margins)


def _coverage(
    domain_keys: tuple[str, ...],
    domains: dict[tuple[Any, ...], int],
    covered: dict[int, set[tuple[int, str, str]]],
    volumes: dict[tuple[int, str, str], int],
    query: SatisfactionQuery,
) -> dict[int, float]:
    """Share of each domain's dossiers that lie in cells with responses in the domain (0
    where the domain has no dossiers on record: none of them is known to be covered)."""
    cell_keys = [k for k in domain_keys if k in _CELL_KEYS]
    positions = {"unit": 0, "sector": 1, "month": 2}
    total: dict[tuple[Any, ...], int] = defaultdict(int)
    for cell, dossiers in volumes.items():
        if query.sectors is None or cell[1] in query.sectors:
            total[tuple(cell[positions[k]] for k in cell_keys)] += dossiers
    coverage: dict[int, float] = {}
    for key, index in domains.items():
        values = dict(zip(domain_keys, key[1:], strict=True))
        denominator = total.get(tuple(values[k] for k in cell_keys), 0)
        numerator = sum(volumes[cell] for cell in covered[index])
        coverage[index] = numerator / denominator if denominator else 0.0
    return coverage

"""Satisfaction estimates from the database: one GROUP BY, then the analytics library.

The database reduces the period's in-scope responses to counts per (cell, domain keys,
answer pattern), where a pattern says for each indicator question whether the response
answered it and was satisfied. Raw rows never travel to Python.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Any

import numpy as np
from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, select

import analytics
from app.keys.service import Principal
from app.models import CHANNELS, Sector, Target, Unit, Volume
from app.stats.indicators import SIPAS, IndicatorPlan, plan, question_plans, stand_ins
from app.surveys.forms import Choice3, FormCatalog

BY_KEYS = ("sector", "unit", "channel", "month", "question")
EMPTY_FIELDS = (
    "rate", "se", "ci_low", "ci_high", "deff", "n_eff", "kish_n_eff", "status", "p_value",
    "coverage",
)  # fmt: skip
_CELL_KEYS = ("unit", "sector", "month")
_SATISFIED = "S"
_UNSATISFIED = "U"
_NONE = "."


@dataclass(frozen=True)
class SatisfactionQuery:
    """The parameters of DESIGN.md §5.4, validated by the caller."""

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
            satisfied = ("2", "3") if isinstance(question, Choice3) else ("4", "5")
            unsatisfied = ("1",) if isinstance(question, Choice3) else ("1", "2", "3")
            cases = " ".join(f"WHEN '{c}' THEN '{_SATISFIED}'" for c in satisfied)
            cases += " " + " ".join(f"WHEN '{c}' THEN '{_UNSATISFIED}'" for c in unsatisfied)
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


def _pattern_counts(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    indicator: IndicatorPlan,
    unit_ids: frozenset[int] | None,
) -> list[tuple[int, str, str, str | None, str, int]]:
    """(unit id, sector, month, channel or None, pattern, responses): the one GROUP BY."""
    channel = ", channel" if query.groups_by_channel else ""
    scope = ""
    if unit_ids is not None:
        scope = (
            f" AND unit_id IN ({', '.join(str(int(uid)) for uid in sorted(unit_ids)) or 'NULL'})"
        )
    # Built from the form catalogue and integers only: nothing of the request is spliced in.
    pattern = _state_sql(catalog, indicator.questions, indicator.is_index)
    statement = text(
        f"SELECT unit_id, sector_code, month{channel}, {pattern} AS pattern,"  # noqa: S608
        " COUNT(*) AS responses FROM response"
        " WHERE local_date >= :date_from AND local_date <= :date_to AND excluded = :excluded"
        f"{scope} GROUP BY unit_id, sector_code, month{channel}, pattern"
    ).bindparams(bindparam("date_from", type_=Date), bindparam("date_to", type_=Date))
    result = session.connection().execute(
        statement,
        {"date_from": query.date_from, "date_to": query.date_to, "excluded": False},
    )
    rows = []
    for row in result:
        if channel:
            unit_id, sector, month, channel_value, pattern, responses = row
        else:
            unit_id, sector, month, pattern, responses = row
            channel_value = None
        rows.append((unit_id, sector, month, channel_value, pattern, int(responses)))
    return rows


def _months(date_from: date, date_to: date) -> list[str]:
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


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
class _Cells:
    keys: list[tuple[int, str, str]]
    index: dict[tuple[int, str, str], int]
    size: list[int]


def satisfaction(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    principal: Principal | None = None,
) -> SatisfactionResult:
    """Rows of DESIGN.md §5.4 for ``query``."""
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    months = _months(query.date_from, query.date_to)
    volumes = {
        (v.unit_id, v.sector_code, v.month): v.dossiers
        for v in session.exec(select(Volume).where(Volume.month.in_(months)))  # type: ignore[attr-defined]
        if unit_ids is None or v.unit_id in unit_ids
    }
    weighting: analytics.Weighting = query.weighting or ("poststratified" if volumes else "none")
    unit_codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    targets = list(session.exec(select(Target)))
    year = query.date_to.year
    plans = (
        question_plans(catalog, query.indicator)
        if "question" in query.by
        else [plan(catalog, query.indicator)]
    )
    rows: list[dict[str, Any]] = []
    unweighted: list[dict[str, Any]] = []
    for indicator in plans:
        counts = _pattern_counts(session, catalog, query, indicator, unit_ids)
        found, skipped = _estimate_rows(
            counts, indicator, query, weighting, volumes, unit_codes, targets, year
        )
        if not found:
            found = _empty_rows(session, query, indicator, unit_ids, targets, year)
        rows.extend(found)
        if not unweighted:
            unweighted = skipped
    return SatisfactionResult(query.echo(weighting), rows, unweighted)


def _empty_rows(
    session: Session,
    query: SatisfactionQuery,
    indicator: IndicatorPlan,
    unit_ids: frozenset[int] | None,
    targets: list[Target],
    year: int,
) -> list[dict[str, Any]]:
    """A period without responses: every domain of the query, with n = 0 and no rate."""
    units = session.exec(select(Unit.code).where(Unit.level != "city").order_by(Unit.code))
    if unit_ids is not None:
        units = session.exec(select(Unit.code).where(Unit.id.in_(unit_ids)))  # type: ignore[union-attr]
    values: dict[str, list[Any]] = {
        "sector": sorted(query.sectors or session.exec(select(Sector.code)).all()),
        "channel": sorted(query.channels or CHANNELS),
        "month": _months(query.date_from, query.date_to),
        "unit": sorted(units.all()),
    }
    domain_keys = [key for key in query.by if key != "question"]
    rows = []
    for combination in product(*(values[key] for key in domain_keys)):
        keys: dict[str, Any] = dict(zip(domain_keys, combination, strict=True))
        target = _domain_target(keys, indicator, query, targets, year)
        if "question" in query.by:
            keys["question"] = indicator.name
        rows.append(
            {
                **keys,
                **dict.fromkeys(EMPTY_FIELDS),
                "n": 0,
                "not_answered": 0,
                "df": 0,
                "target": None if np.isnan(target) else target,
                "small_sample": True,
                "lonely_cells": 0,
            }
        )
    return rows


def _estimate_rows(
    counts: list[tuple[int, str, str, str | None, str, int]],
    indicator: IndicatorPlan,
    query: SatisfactionQuery,
    weighting: analytics.Weighting,
    volumes: dict[tuple[int, str, str], int],
    unit_codes: dict[int | None, str],
    targets: list[Target],
    year: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cell_responses: dict[tuple[int, str, str], int] = defaultdict(int)
    for unit_id, sector, month, _, _, responses in counts:
        cell_responses[(unit_id, sector, month)] += responses
    unweighted = []
    if weighting != "none":
        for cell, responses in sorted(cell_responses.items()):
            if cell not in volumes:
                unweighted.append(
                    {"unit": unit_codes.get(cell[0]), "sector": cell[1], "month": cell[2],
                     "responses": responses}
                )  # fmt: skip
    used = [c for c in counts if weighting == "none" or (c[0], c[1], c[2]) in volumes]

    domain_keys = tuple(key for key in query.by if key != "question")
    domains: dict[tuple[Any, ...], int] = {}
    cells: dict[tuple[int, str, str], int] = {}
    group_cell, group_domain, group_count = [], [], []
    answered, satisfied = [], []
    for unit_id, sector, month, channel, pattern, responses in used:
        cell = (unit_id, sector, month)
        cell_index = 0 if weighting == "none" else cells.setdefault(cell, len(cells))
        values = {"unit": unit_id, "sector": sector, "month": month, "channel": channel}
        # Responses outside the query's scope stay in the design (their cells keep their
        # n_h) but fall in a domain of their own, which is not reported.
        key = (query.in_scope(sector, channel), *(values[k] for k in domain_keys))
        group_domain.append(domains.setdefault(key, len(domains)))
        group_cell.append(cell_index)
        group_count.append(responses)
        answered.append([c != _NONE for c in pattern])
        satisfied.append([c == _SATISFIED for c in pattern])
    if not any(key[0] for key in domains):
        return [], unweighted

    cell_sizes: dict[int, int] = defaultdict(int)
    for index, count in zip(group_cell, group_count, strict=True):
        cell_sizes[index] += count
    size = np.array([cell_sizes[i] for i in range(max(cell_sizes, default=-1) + 1)], dtype=np.int64)
    questions = len(indicator.questions)
    sample = analytics.Sample(
        cell=np.array(group_cell, dtype=np.intp),
        domain=np.array(group_domain, dtype=np.intp),
        count=np.array(group_count, dtype=np.int64),
        answered=np.array(answered, dtype=bool).reshape(-1, questions),
        satisfied=np.array(satisfied, dtype=bool).reshape(-1, questions),
        cell_size=size,
        n_domains=len(domains),
    )
    cell_list = list(cells)
    if weighting == "none":
        weights = analytics.unweighted(size)
    elif weighting == "poststratified":
        dossiers = np.array([volumes[c] for c in cell_list], dtype=np.float64)
        weights = analytics.poststratified(size, dossiers)
    else:
        weights = analytics.raked(size, _raking_margins(cell_list, volumes))

    def readable(key: tuple[Any, ...]) -> tuple[str, ...]:
        labelled = dict(zip(domain_keys, key[1:], strict=True))
        if "unit" in labelled:
            labelled["unit"] = unit_codes.get(labelled["unit"])
        return tuple(str(labelled[k]) for k in domain_keys)

    ordered = sorted(domains.items(), key=lambda item: readable(item[0]))
    domain_targets = np.array(
        [_domain_target(dict(zip(domain_keys, key[1:], strict=True)), indicator, query,
                        targets, year)
         for key, _ in sorted(domains.items(), key=lambda item: item[1])],
        dtype=np.float64,
    )  # fmt: skip
    estimates = analytics.estimate(
        sample,
        weights,
        np.array(indicator.coefficients, dtype=np.float64),
        targets=domain_targets,
        interval=query.interval,
        level=query.level,
        index=indicator.is_index,
    )
    coverage = _coverage(used, domain_keys, domains, volumes, query)
    rows = []
    for key, index in ordered:
        if not key[0]:
            continue
        keys: dict[str, Any] = dict(zip(domain_keys, key[1:], strict=True))
        if "unit" in keys:
            keys["unit"] = unit_codes.get(keys["unit"])
        if "question" in query.by:
            keys["question"] = indicator.name
        found = estimates[index]
        rows.append(
            {
                **keys,
                "n": found.n,
                "not_answered": found.not_answered,
                "rate": found.rate,
                "se": found.se,
                "df": found.df,
                "ci_low": found.ci_low,
                "ci_high": found.ci_high,
                "deff": found.deff,
                "n_eff": found.n_eff,
                "kish_n_eff": found.kish_n_eff,
                "target": found.target,
                "status": found.status,
                "p_value": found.p_value,
                "small_sample": found.small_sample,
                "coverage": coverage.get(index),
                "lonely_cells": found.lonely_cells,
            }
        )
    return rows, unweighted


def _domain_target(
    keys: dict[str, Any],
    indicator: IndicatorPlan,
    query: SatisfactionQuery,
    targets: list[Target],
    year: int,
) -> float:
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
    used: list[tuple[int, str, str, str | None, str, int]],
    domain_keys: tuple[str, ...],
    domains: dict[tuple[Any, ...], int],
    volumes: dict[tuple[int, str, str], int],
    query: SatisfactionQuery,
) -> dict[int, float | None]:
    """Share of each domain's dossiers that lie in cells with responses in the domain."""
    cell_keys = [k for k in domain_keys if k in _CELL_KEYS]
    positions = {"unit": 0, "sector": 1, "month": 2}
    total: dict[tuple[Any, ...], int] = defaultdict(int)
    for cell, dossiers in volumes.items():
        if query.sectors is None or cell[1] in query.sectors:
            total[tuple(cell[positions[k]] for k in cell_keys)] += dossiers
    covered_cells: dict[int, set[tuple[int, str, str]]] = defaultdict(set)
    for unit_id, sector, month, channel, _, _ in used:
        values = {"unit": unit_id, "sector": sector, "month": month, "channel": channel}
        key = (query.in_scope(sector, channel), *(values[k] for k in domain_keys))
        covered_cells[domains[key]].add((unit_id, sector, month))
    coverage: dict[int, float | None] = {}
    for key, index in domains.items():
        values = dict(zip(domain_keys, key[1:], strict=True))
        denominator = total.get(tuple(values[k] for k in cell_keys), 0)
        numerator = sum(volumes.get(cell, 0) for cell in covered_cells[index])
        coverage[index] = numerator / denominator if denominator else None
    return coverage

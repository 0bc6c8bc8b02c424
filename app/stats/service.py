"""Satisfaction estimates: the counts of app.stats.counts placed in the design of
app.stats.frame, estimated by the analytics library, labelled as rows (app.stats.rows)."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import product
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session, col, func, select

import analytics
from app.models import CHANNELS, Sector, Target, Unit, Volume
from app.months import months_of
from app.principals import Principal
from app.stats import tallies
from app.stats.counts import (
    NO_ANSWER_STATE,
    SATISFIED_STATE,
    index_moments,
    pattern_counts,
    question_counts,
)
from app.stats.frame import Frame, build_frame
from app.stats.indicators import (
    SIPAS,
    IndicatorPlan,
    indices,
    plan,
    question_plans,
)
from app.stats.query import SatisfactionQuery
from app.stats.rows import ROW_FIELDS
from app.surveys.forms import FormCatalog


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
            answered = states != ord(NO_ANSWER_STATE)
            satisfied = states == ord(SATISFIED_STATE)
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
    return _estimated_rows(
        frame, indicator, context, partial(analytics.estimate, sample, index=indicator.is_index)
    )


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
    return _estimated_rows(frame, indicator, context, partial(analytics.estimate_index, sums))


def _estimated_rows(
    frame: Frame,
    indicator: IndicatorPlan,
    context: _Context,
    estimator: Callable[..., list[analytics.Estimate]],
) -> list[dict[str, Any]]:
    """Rows from ``estimator`` (answer groups or moments, already given) with the query's
    weights, coefficients, targets, interval and small-sample threshold."""
    labelled = [dict(zip(frame.domain_keys, key[1:], strict=True)) for key in frame.domains]
    estimates = estimator(
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

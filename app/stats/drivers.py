"""Which elements move overall satisfaction most (the drivers endpoint)."""

from dataclasses import replace
from typing import Any

import numpy as np
from sqlmodel import Session, select

import analytics.drivers
from app.models import Unit, Volume
from app.months import months_of
from app.principals import Principal
from app.stats.counts import driver_groups
from app.stats.frame import build_frame
from app.stats.indicators import elements
from app.stats.query import SatisfactionQuery
from app.surveys.forms import FormCatalog

_LABELS = {
    "access": ("tiếp cận dịch vụ", "access to the service"),
    "procedure": ("thủ tục hành chính", "the procedure"),
    "staff": ("công chức giải quyết", "the civil servant"),
    "result": ("kết quả giải quyết", "the result"),
    "feedback": ("tiếp nhận, xử lý phản ánh", "feedback handling"),
}


def driver_questions(catalog: FormCatalog) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """Overall, then each SIPAS element's criteria; where each element's criteria lie."""
    element_map = elements(catalog)
    questions: list[str] = ["overall"]
    spans = []
    for eid in element_map:
        criteria = element_map[eid][0]
        spans.append((len(questions), len(questions) + len(criteria)))
        questions += criteria
    return tuple(questions), spans


def drivers(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Odds ratios of overall satisfaction for being satisfied with each element."""
    questions, spans = driver_questions(catalog)
    names = tuple(elements(catalog))
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    overall = replace(query, by=())
    groups = driver_groups(session, catalog, overall, questions, spans, unit_ids)
    months = months_of(query.date_from, query.date_to)
    volumes = {
        (u, s, m): d
        for u, s, m, d in session.connection().execute(
            select(Volume.unit_id, Volume.sector_code, Volume.month, Volume.dossiers).where(
                Volume.month.in_(months)  # type: ignore[attr-defined]
            )
        )
        if unit_ids is None or u in unit_ids
    }
    weighting = query.weighting or ("poststratified" if volumes else "none")
    unit_codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    frame = build_frame(groups.keys, groups.responses, overall, weighting, volumes, unit_codes)
    cell = frame.cell[groups.key]
    usable = cell >= 0
    # Responses alike in outcome and element shares are one answer pattern of the model.
    patterns, pattern = analytics.drivers.distinct_rows(
        np.column_stack([groups.outcome, groups.satisfied / groups.answered])[usable]
    )
    model = None
    if patterns.shape[0]:
        model = analytics.drivers.fit_drivers(
            names,
            patterns[:, 1:],
            patterns[:, 0],
            pattern,
            groups.count[usable],
            cell[usable],
            frame.cell_size,
            frame.weights,
            level=query.level,
        )
    if model is None:
        return {"query": query.echo(weighting), "n": 0, "separated": False, "drivers": []}
    return {
        "query": query.echo(weighting),
        "n": model.n,
        "df": model.df,
        "separated": model.separated,
        "drivers": [
            {
                "element": d.name,
                "coefficient": d.coefficient,
                "se": d.se,
                "odds_ratio": d.odds_ratio,
                "odds_ratio_low": d.odds_low,
                "odds_ratio_high": d.odds_high,
                "p_value": d.p_value,
                "rank": rank,
                "text": _sentence(d, rank),
            }
            for rank, d in enumerate(model.drivers, start=1)
        ],
    }


def _sentence(driver: analytics.drivers.Driver, rank: int) -> dict[str, str]:
    vi, en = _LABELS.get(driver.name, (driver.name, driver.name))
    ratio = f"{driver.odds_ratio:.1f}".replace(".", ",")
    certain = driver.p_value is not None and driver.p_value < 0.05
    # An odds ratio, said as one: the ratio of satisfied to dissatisfied, compared between
    # the two groups (not a "likelihood N times higher", which would be a risk ratio).
    return {
        "vi": f"{rank}. Ở người hài lòng với {vi}, tỷ số giữa số người hài lòng chung và số "
        f"người không hài lòng chung cao gấp {ratio} lần so với ở những người còn lại"
        + ("." if certain else " (chưa đủ bằng chứng thống kê)."),
        "en": f"{rank}. Among those satisfied with {en}, the ratio of satisfied to "
        f"dissatisfied overall is {driver.odds_ratio:.1f} times that among the others"
        + ("." if certain else " (not statistically conclusive)."),
    }

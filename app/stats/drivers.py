"""Which elements move overall satisfaction most (the drivers endpoint)."""

from dataclasses import replace
from typing import Any

import numpy as np
from sqlmodel import Session, select

import analytics.drivers
from app.models import Unit, Volume
from app.months import months_of
from app.principals import Principal
from app.stats.indicators import IndicatorPlan, elements
from app.stats.service import SatisfactionQuery, build_frame, pattern_counts
from app.surveys.forms import FormCatalog

_LABELS = {
    "access": ("tiếp cận dịch vụ", "access to the service"),
    "procedure": ("thủ tục hành chính", "the procedure"),
    "staff": ("công chức giải quyết", "the civil servant"),
    "result": ("kết quả giải quyết", "the result"),
    "feedback": ("tiếp nhận, xử lý phản ánh", "feedback handling"),
}


def drivers(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Odds ratios of overall satisfaction for being satisfied with each element."""
    element_map = elements(catalog)
    names = tuple(element_map)
    criteria = [q for eid in names for q in element_map[eid][0]]
    questions = ("overall", *criteria)
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    counts = pattern_counts(
        session, catalog, replace(query, by=()), IndicatorPlan("drivers", questions, (), True),
        unit_ids,
    )  # fmt: skip
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
    keys = [(u, s, m, c) for u, s, m, c, _, _ in counts]
    sizes = np.array([n for *_, n in counts], dtype=np.int64)
    frame = build_frame(keys, sizes, replace(query, by=()), weighting, volumes, unit_codes)
    spans, start = [], 1
    for eid in names:
        spans.append((start, start + len(element_map[eid][0])))
        start += len(element_map[eid][0])
    rows, outcome, kept = [], [], []
    for position, (*_, pattern, _) in enumerate(counts):
        if pattern[0] == "." or frame.cell[position] < 0:
            continue
        shares = []
        for low, high in spans:
            answered = [c for c in pattern[low:high] if c != "."]
            if not answered:
                break
            shares.append(sum(c == "S" for c in answered) / len(answered))
        else:
            rows.append(shares)
            outcome.append(1.0 if pattern[0] == "S" else 0.0)
            kept.append(position)
    model = None
    if kept:
        model = analytics.drivers.fit_drivers(
            names,
            np.array(rows, dtype=np.float64),
            np.array(outcome),
            sizes[kept],
            frame.cell[kept],
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

"""Monthly series per sector or unit, with intervals, and a test for a trend."""

from dataclasses import replace
from typing import Any

import numpy as np
from sqlmodel import Session

import analytics
from app.errors import FieldError, Invalid
from app.principals import Principal
from app.stats.query import SatisfactionQuery
from app.stats.rows import POINT_FIELDS
from app.stats.service import satisfaction
from app.surveys.forms import FormCatalog

SERIES_KEYS = ("sector", "unit")


def trend(
    session: Session,
    catalog: FormCatalog,
    base: SatisfactionQuery,
    series: str | None,
    principal: Principal | None = None,
    units: frozenset[int] | None = None,
) -> list[dict[str, Any]]:
    """One series per sector or unit (or one for everything), month by month; ``units``
    narrows it as ``satisfaction`` does."""
    if series is not None and series not in SERIES_KEYS:
        raise Invalid("bad series", [FieldError("by", "a trend runs by sector or by unit")])
    by = (series, "month") if series else ("month",)
    rows = satisfaction(session, catalog, replace(base, by=by), principal, units).rows
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row.get(series) if series else "all", []).append(row)
    months = sorted({row["month"] for row in rows})
    result = []
    for key, points in grouped.items():
        points.sort(key=lambda row: row["month"])
        found = analytics.linear_trend(
            np.array([months.index(p["month"]) for p in points], dtype=np.float64),
            np.array([np.nan if p["rate"] is None else p["rate"] for p in points]),
            np.array([np.nan if p["se"] is None else p["se"] for p in points]),
        )
        result.append(
            {
                **({series: key} if series else {}),
                "points": [{name: p[name] for name in POINT_FIELDS} for p in points],
                "trend": {
                    "months": found.months,
                    "slope_per_month": found.slope,
                    "se": found.se,
                    "p_value": found.p_value,
                    "direction": found.direction,
                },
            }
        )
    return result

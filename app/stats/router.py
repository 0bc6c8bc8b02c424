"""HTTP routes of the analytics API."""

import io
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from app.deps import AnalyticsSessionDep, CatalogDep, Reader
from app.stats.drivers import drivers
from app.stats.params import parse_query
from app.stats.service import satisfaction
from app.stats.table import ROW_FIELDS, TARGET_COLUMNS, write_rows
from app.stats.targets import TARGET_FIELDS, plan_targets
from app.stats.trend import trend

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])


def _csv(rows: list[dict[str, Any]], fields: list[str]) -> Response:
    buffer = io.StringIO()
    write_rows(buffer, rows, fields)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


@router.get("/satisfaction", response_model=None)
def get_satisfaction(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", description="last day, YYYY-MM-DD")],
    by: Annotated[
        str, Query(description="comma list of sector, unit, channel, month, question")
    ] = "",
    indicator: str = "overall",
    weighting: Annotated[str | None, Query(description="none, poststratified or raked")] = None,
    ci: Annotated[str, Query(description="logit, beta or wald")] = "logit",
    level: float = 0.95,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response | dict[str, Any]:
    """Weighted satisfaction rates with intervals and target tests (DESIGN.md §5.4)."""
    query = parse_query(
        catalog,
        date_from=date_from,
        date_to=date_to,
        by=by,
        indicator=indicator,
        weighting=weighting,
        interval=ci,
        level=level,
    )
    result = satisfaction(session, catalog, query, principal)
    if format == "csv":
        return _csv(result.rows, [*query.by, *ROW_FIELDS])
    return JSONResponse(
        {"query": result.query, "rows": result.rows, "unweighted_cells": result.unweighted_cells}
    )


@router.get("/targets", response_model=None)
def get_targets(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", description="last day, YYYY-MM-DD")],
    weighting: Annotated[str | None, Query(description="none, poststratified or raked")] = None,
    ci: Annotated[str, Query(description="logit, beta or wald")] = "logit",
    level: float = 0.95,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response | dict[str, Any]:
    """Each indicator of the plan (DESIGN.md §2) with its rate, interval and status."""
    query = parse_query(
        catalog, date_from=date_from, date_to=date_to, weighting=weighting, interval=ci, level=level
    )
    rows = plan_targets(session, catalog, query, principal)
    if format == "csv":
        return _csv(rows, [*TARGET_COLUMNS, *TARGET_FIELDS])
    return JSONResponse({"query": query.echo(query.weighting or "default"), "rows": rows})


@router.get("/trend", response_model=None)
def get_trend(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", description="last day, YYYY-MM-DD")],
    by: Annotated[str | None, Query(description="sector or unit; none for one series")] = None,
    indicator: str = "overall",
    weighting: Annotated[str | None, Query(description="none, poststratified or raked")] = None,
    ci: Annotated[str, Query(description="logit, beta or wald")] = "logit",
    level: float = 0.95,
) -> dict[str, Any]:
    """Monthly rates per sector or unit with intervals, and a test for a linear trend."""
    query = parse_query(
        catalog,
        date_from=date_from,
        date_to=date_to,
        indicator=indicator,
        weighting=weighting,
        interval=ci,
        level=level,
    )
    series = trend(session, catalog, query, by or None, principal)
    return {"query": {**query.echo(query.weighting or "default"), "by": by}, "series": series}


@router.get("/drivers")
def get_drivers(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", description="last day, YYYY-MM-DD")],
    weighting: Annotated[str | None, Query(description="none, poststratified or raked")] = None,
    level: float = 0.95,
) -> dict[str, Any]:
    """Which elements move overall satisfaction most: a design-weighted logistic regression
    of overall satisfaction on the element answers, with odds ratios in plain words."""
    query = parse_query(
        catalog, date_from=date_from, date_to=date_to, weighting=weighting, level=level
    )
    return drivers(session, catalog, query, principal)

"""HTTP routes of the analytics API."""

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.deps import AnalyticsSessionDep, CsvBom, Reader, SettingsDep
from app.stats.flags import FLAG_FIELDS, CounterFlags, counter_flags
from app.stats.outputs import (
    Output,
    drivers_output,
    satisfaction_output,
    targets_output,
    trend_output,
)
from app.stats.params import parse_query
from app.stats.query import SatisfactionQuery
from app.stats.rows import DriversAnswer, SatisfactionAnswer, TargetsAnswer, TrendAnswer
from app.stats.table import write_rows
from app.surveys.deps import CatalogDep
from app.surveys.forms import FormCatalog
from app.text import UTF8_BOM

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])


@dataclass(frozen=True)
class Period:
    """The parameters every analytics route shares."""

    date_from: str
    date_to: str
    weighting: str | None
    ci: str
    level: float
    small_sample: int

    def query(
        self, catalog: FormCatalog, by: str = "", indicator: str = "overall"
    ) -> SatisfactionQuery:
        return parse_query(
            catalog,
            date_from=self.date_from,
            date_to=self.date_to,
            by=by,
            indicator=indicator,
            weighting=self.weighting,
            interval=self.ci,
            level=self.level,
            small_sample=self.small_sample,
        )


def period_params(
    settings: SettingsDep,
    date_from: Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", description="last day, YYYY-MM-DD")],
    weighting: Annotated[str | None, Query(description="none, poststratified or raked")] = None,
    ci: Annotated[str, Query(description="logit, beta or wald")] = "logit",
    level: Annotated[float, Query(description="confidence level, in (0, 1)")] = 0.95,
) -> Period:
    return Period(date_from, date_to, weighting, ci, level, settings.small_sample)


PeriodDep = Annotated[Period, Depends(period_params)]


@dataclass(frozen=True)
class OutputFormat:
    format: str
    bom: bool


def output_params(
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    bom: CsvBom = False,
) -> OutputFormat:
    return OutputFormat(format, bom)


OutputDep = Annotated[OutputFormat, Depends(output_params)]


def _csv(rows: list[dict[str, Any]], fields: list[str], bom: bool) -> Response:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM if bom else "")
    write_rows(buffer, rows, fields)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


def _answer(output: Output, wanted: OutputFormat) -> Response:
    if wanted.format == "csv":
        return _csv(output.rows, output.fields, wanted.bom)
    return JSONResponse(output.document)


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}
}


@router.get("/satisfaction", response_model=SatisfactionAnswer, responses=_CSV)
def get_satisfaction(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    period: PeriodDep,
    output: OutputDep,
    by: Annotated[
        str, Query(description="comma list of sector, unit, channel, month, question")
    ] = "",
    indicator: str = "overall",
) -> Response:
    """Weighted satisfaction rates with intervals and target tests (docs/contracts.md §4)."""
    query = period.query(catalog, by, indicator)
    return _answer(satisfaction_output(session, catalog, query, principal), output)


@router.get("/targets", response_model=TargetsAnswer, responses=_CSV)
def get_targets(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    period: PeriodDep,
    output: OutputDep,
) -> Response:
    """Each indicator of the plan (docs/product.md) with its rate, interval and status."""
    return _answer(targets_output(session, catalog, period.query(catalog), principal), output)


@router.get("/trend", response_model=TrendAnswer, responses=_CSV)
def get_trend(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    period: PeriodDep,
    output: OutputDep,
    by: Annotated[str | None, Query(description="sector or unit; none for one series")] = None,
    indicator: str = "overall",
) -> Response:
    """Monthly rates per sector or unit with intervals, and a test for a linear trend; as
    CSV, one row per series and month with the series' test repeated."""
    query = period.query(catalog, indicator=indicator)
    return _answer(trend_output(session, catalog, query, by or None, principal), output)


@router.get("/drivers", response_model=DriversAnswer, responses=_CSV)
def get_drivers(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    period: PeriodDep,
    output: OutputDep,
) -> Response:
    """Which elements move overall satisfaction most: a design-weighted logistic regression
    of overall satisfaction on the element answers, with odds ratios in plain words."""
    return _answer(drivers_output(session, catalog, period.query(catalog), principal), output)


class FlagsAnswer(BaseModel):
    date_from: date
    date_to: date
    rows: list[CounterFlags]


@router.get("/flags", response_model=FlagsAnswer)
def get_flags(
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    period: PeriodDep,
    output: OutputDep,
) -> Response | FlagsAnswer:
    """Per counter: responses, how many were flagged (too fast, start unknown, repeat
    device, straight line) and the shares excluded and of unknown start, the highest
    excluded share first. A counter far above its peers may be under attack."""
    query = period.query(catalog)
    rows = counter_flags(session, query.date_from, query.date_to, principal)
    if output.format == "csv":
        return _csv([row.model_dump() for row in rows], FLAG_FIELDS, output.bom)
    return FlagsAnswer(date_from=query.date_from, date_to=query.date_to, rows=rows)

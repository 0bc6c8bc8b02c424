"""One use-case per analytics answer, shared by the REST routes and the ``sipas`` command:
the JSON body, the flat rows of its CSV and their columns."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.principals import Principal
from app.stats.drivers import drivers
from app.stats.query import SatisfactionQuery
from app.stats.rows import DRIVER_FIELDS, ROW_FIELDS, TARGET_COLUMNS, TARGET_FIELDS, TREND_FIELDS
from app.stats.service import resolved_weighting, satisfaction
from app.stats.table import driver_rows, trend_rows
from app.stats.targets import plan_targets
from app.stats.trend import trend
from app.surveys.forms import FormCatalog


@dataclass(frozen=True)
class Output:
    document: dict[str, Any]  # the JSON body
    rows: list[dict[str, Any]]  # the CSV's rows
    fields: list[str]  # the CSV's columns


def satisfaction_output(
    session: Session, catalog: FormCatalog, query: SatisfactionQuery, principal: Principal | None
) -> Output:
    result = satisfaction(session, catalog, query, principal)
    return Output(result.document(), result.rows, [*query.by, *ROW_FIELDS])


def targets_output(
    session: Session, catalog: FormCatalog, query: SatisfactionQuery, principal: Principal | None
) -> Output:
    rows = plan_targets(session, catalog, query, principal)
    echo = query.echo(resolved_weighting(session, query, principal))
    return Output({"query": echo, "rows": rows}, rows, [*TARGET_COLUMNS, *TARGET_FIELDS])


def trend_output(
    session: Session,
    catalog: FormCatalog,
    query: SatisfactionQuery,
    series: str | None,
    principal: Principal | None,
) -> Output:
    found = trend(session, catalog, query, series, principal)
    echo = {**query.echo(resolved_weighting(session, query, principal)), "by": series}
    fields = [*([series] if series else []), *TREND_FIELDS]
    return Output({"query": echo, "series": found}, trend_rows(found), fields)


def drivers_output(
    session: Session, catalog: FormCatalog, query: SatisfactionQuery, principal: Principal | None
) -> Output:
    model = drivers(session, catalog, query, principal)
    return Output(model, driver_rows(model["drivers"]), list(DRIVER_FIELDS))

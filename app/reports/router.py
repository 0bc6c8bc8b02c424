"""HTTP routes of the monthly reports."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select

from app.audit import record_action
from app.db import writing
from app.deps import (
    MAX_ROW_ID,
    Analyst,
    AnalyticsSessionDep,
    CsvBom,
    Reader,
    SessionDep,
    SettingsDep,
)
from app.errors import Conflict, FieldError, Invalid, NotFound
from app.models import Report
from app.months import Month
from app.principals import Principal
from app.reports.render_html import self_contained
from app.reports.service import (
    generate,
    latest_done,
    report_options,
    units_format,
    version_format,
)
from app.surveys.deps import CatalogDep
from app.text import UTF8_BOM

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


class ReportRequest(BaseModel):
    month: str = Field(examples=["2026-10"], description="YYYY-MM, checked by Month.parse")


def _month(text: str, field: str = "month") -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise Invalid("bad month", [FieldError(field, str(exc))]) from None


def _listed(report: Report, principal: Principal) -> dict[str, Any]:
    links = {fmt: f"/api/v1/reports/{report.month}.{fmt}?version={report.version}"
             for fmt in MEDIA_TYPES} if report.status == "done" else {}  # fmt: skip
    return {
        "month": report.month,
        "version": report.version,
        "status": report.status,
        "created_at": report.created_at.isoformat(),
        "finished_at": report.finished_at.isoformat() if report.finished_at else None,
        # A failure's text may quote a stored answer: administrators only.
        "error": report.error if principal.role == "admin" else None,
        "links": links,
    }


@router.get("")
def list_reports(session: SessionDep, principal: Reader) -> dict[str, Any]:
    """Every report version, newest month first. Unit keys get their units' report from
    the same links, made for their units when they ask."""
    reports = session.exec(
        select(Report).order_by(col(Report.month).desc(), col(Report.version).desc())
    )
    return {"reports": [_listed(report, principal) for report in reports]}


@router.post("", status_code=201)
def create_report(
    body: ReportRequest,
    session: SessionDep,
    catalog: CatalogDep,
    principal: Analyst,
    settings: SettingsDep,
) -> JSONResponse:
    """Make a new version of a month's report now (the schedule makes them on its own)."""
    month = _month(body.month)
    report = generate(session, catalog, month, None, report_options(settings), settings.zone)
    if report is None:
        raise Conflict("this month's report is being made right now; ask again shortly")
    with writing(session):
        record_action(session, principal.actor, "create", "report", f"{month} v{report.version}")
    return JSONResponse(_listed(report, principal), status_code=201)


@router.get("/{month}.{fmt}", response_model=None)
def get_report(
    month: str,
    fmt: Literal["html", "csv", "xlsx", "pdf", "zip"],
    session: AnalyticsSessionDep,
    catalog: CatalogDep,
    principal: Reader,
    settings: SettingsDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    lang: Annotated[Literal["vi", "en"], Query()] = "vi",
    bom: CsvBom = False,
    download: Annotated[
        bool, Query(description="HTML to keep: its stylesheet inside it, as an attachment")
    ] = False,
) -> Response:
    """A finished report (the latest version unless ``version`` says), in any format and
    language from the version's stored figures; for a unit key, made for its units from
    the version's data (or, if that data changed since, from today's, and it says so)."""
    wanted = _month(month)
    options = report_options(settings)
    body: str | bytes | None
    report = _version(session, wanted, version)
    if principal.role == "unit":
        body = units_format(session, catalog, report, fmt, lang, principal, options, settings.zone)
    else:
        body = version_format(session, catalog, report, fmt, lang, options, settings.zone)
    if body is None:
        raise NotFound(f"the {fmt} of the {wanted} report could not be made (see the report list)")
    headers = {}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="sipas-{wanted}.{fmt}"'
    if fmt == "html" and download and isinstance(body, str):
        # A saved or e-mailed report keeps its look: no link back to this server.
        attachment = {"Content-Disposition": f'attachment; filename="sipas-{wanted}.html"'}
        return HTMLResponse(self_contained(body), headers=attachment)
    if fmt == "html":
        return HTMLResponse(body)
    if fmt == "csv" and bom and isinstance(body, str):
        body = UTF8_BOM + body
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _version(session: AnalyticsSessionDep, month: Month, version: int | None) -> Report:
    if version is None:
        found = latest_done(session, month)
    else:
        found = session.exec(
            select(Report).where(
                Report.month == str(month), Report.version == version, Report.status == "done"
            )
        ).first()
    if found is None:
        raise NotFound(f"no finished report for {month}")
    return found

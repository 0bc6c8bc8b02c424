"""Making, storing and finding monthly reports.

A report version is claimed by inserting its row (``month``, ``version`` is unique), so
among replicas racing for the same month one wins and the others step aside. A finished
version is never changed; regenerating makes the next version. A failure is recorded on
its version and the month is due again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.db import writing
from app.models import Report, Response, utc_now
from app.months import Month
from app.principals import Principal
from app.reports import stored
from app.reports.content import MonthlyReport, ReportOptions, build_report, data_fingerprint
from app.reports.render_files import to_csv, to_xlsx, to_zip
from app.reports.render_html import to_html
from app.reports.render_pdf import to_pdf
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.reports")
T = TypeVar("T")
# A version still "running" after this long was abandoned (its process died).
ABANDONED_AFTER = timedelta(minutes=30)
# How far back a newly started platform catches up missed months.
CATCH_UP_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Rendered:
    """A report's formats; a format whose renderer failed is None, and ``failures`` says
    why (for administrators: it may quote a citizen's text)."""

    html: str | None
    csv: str | None
    xlsx: bytes | None
    pdf: bytes | None
    zip: bytes | None
    failures: dict[str, str]

    STORED = ("html", "csv", "xlsx")  # the PDF and the zip are rendered when asked for

    @property
    def failure_text(self) -> str | None:
        return "; ".join(f"{fmt}: {why}" for fmt, why in self.failures.items()) or None


RENDERERS: dict[str, Callable[[MonthlyReport, str], str | bytes]] = {
    "html": to_html,
    "csv": to_csv,
    "xlsx": to_xlsx,
    "pdf": to_pdf,
    "zip": to_zip,
}


def render(report: MonthlyReport, language: str = "vi", formats: tuple[str, ...] = ()) -> Rendered:
    """``report`` in ``formats`` (all by default); one that fails never takes the others
    down, and why it failed is kept."""
    failures: dict[str, str] = {}
    made: dict[str, str | bytes | None] = {}
    for fmt, renderer in RENDERERS.items():
        if formats and fmt not in formats:
            made[fmt] = None
            continue
        try:
            made[fmt] = renderer(report, language)
        except Exception as exc:
            log.exception("the %s of report %s failed", fmt, report.month)
            failures[fmt] = repr(exc)
            made[fmt] = None
    return Rendered(failures=failures, **made)  # type: ignore[arg-type]


def version_format(
    session: Session,
    catalog: FormCatalog,
    report: Report,
    fmt: str,
    language: str,
    options: ReportOptions,
    zone: ZoneInfo,
) -> str | bytes | None:
    """A format of a finished version: as stored, or rendered from the version's stored
    content (the same figures in every language), or — for a version made before content
    was kept — made again from the services."""
    if language == "vi" and fmt in Rendered.STORED and (kept := getattr(report, fmt)) is not None:
        return kept  # type: ignore[no-any-return]
    content = stored.load(report.content) if report.content else None
    if content is None:
        month = Month.parse(report.month)
        content = build_report(session, catalog, month, None, options, issued_today(zone))
    return getattr(render(content, language, (fmt,)), fmt)  # type: ignore[no-any-return]


def units_format(
    session: Session,
    catalog: FormCatalog,
    report: Report,
    fmt: str,
    language: str,
    principal: Principal,
    options: ReportOptions,
    zone: ZoneInfo,
) -> str | bytes | None:
    """A unit key's report of a version: made for its units while the months it read hold
    what they held when the version was made (the same data, hence the same figures);
    otherwise from the data as it is now, and it says so."""
    month = Month.parse(report.month)
    version = stored.load(report.content) if report.content else None
    same_data = version is not None and version.data == data_fingerprint(session, month)
    issued = version.issued_on if version is not None else issued_today(zone)
    content = build_report(session, catalog, month, principal, options, issued)
    content.rebuilt_from_later_data = not same_data
    return getattr(render(content, language, (fmt,)), fmt)  # type: ignore[no-any-return]


def report_options(settings: Settings) -> ReportOptions:
    return ReportOptions(
        small_sample=settings.small_sample,
        issuer=settings.report_issuer,
        issuer_parent=settings.report_issuer_parent,
        place=settings.report_place,
        case_target_working_days=settings.case_target_working_days,
        timezone=settings.timezone,
    )


def issued_today(zone: ZoneInfo) -> str:
    return clock.today(zone).isoformat()


def _next_version(session: Session, month: Month) -> int:
    latest = session.exec(select(func.max(Report.version)).where(Report.month == str(month))).one()
    return (latest or 0) + 1


def _claim(session: Session, month: Month, version: int) -> Report | None:
    """The row of ``version`` in status running; None if another process took it."""
    report = Report(month=str(month), version=version, status="running")
    try:
        with writing(session):
            session.add(report)
    except IntegrityError:
        return None
    session.refresh(report)
    return report


def generate(
    session: Session,
    catalog: FormCatalog,
    month: Month,
    version: int | None = None,
    options: ReportOptions = ReportOptions(),
    zone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh"),
) -> Report | None:
    """Make ``version`` (by default the next one) of ``month``'s report; None when another
    process claimed that version first. A failure is stored on the version and re-raised.

    The content (the figures) is stored with the version, and its formats are rendered from
    it: any later rendering of this version (English, PDF) shows the same figures."""
    report = _claim(session, month, version or _next_version(session, month))
    if report is None:
        return None
    # The outcome is written in a write transaction of its own: the rendering's read
    # transaction may have been overtaken by another replica's writes.
    try:
        content = build_report(session, catalog, month, None, options, issued_today(zone))
        rendered = render(content, formats=Rendered.STORED)
        if rendered.html is None and rendered.csv is None and rendered.xlsx is None:
            raise RuntimeError(rendered.failure_text)
    except Exception as exc:
        session.rollback()
        with writing(session):
            report.status, report.error, report.finished_at = "failed", repr(exc), utc_now()
            session.add(report)
        log.exception("report %s version %s failed", month, report.version)
        raise
    with writing(session):
        report.html, report.csv, report.xlsx = rendered.html, rendered.csv, rendered.xlsx
        report.content = stored.dump(content)
        report.status, report.finished_at = "done", utc_now()
        report.error = rendered.failure_text
        session.add(report)
    log.info("report %s version %s done", month, report.version)
    return report


def latest_done(session: Session, month: Month) -> Report | None:
    return session.exec(
        select(Report)
        .where(Report.month == str(month), Report.status == "done")
        .order_by(col(Report.version).desc())
    ).first()


def due_months(session: Session, now: datetime, zone: ZoneInfo) -> list[tuple[Month, int]]:
    """Months whose report is due and not made, with the version to make: each month from
    06:00 on the 1st of the next month (city time), back to the first month with responses
    or a year, whichever is later; a month whose last attempt failed or was abandoned is
    due again, as the next version. Schedulers racing for a month try the same version,
    and the unique key lets one of them have it."""
    local = now.astimezone(zone)
    current = Month(local.year, local.month)
    last = current.previous() if local.day > 1 or local.hour >= 6 else current.back(2)
    first_response = session.exec(select(func.min(Response.month))).one()
    if first_response is None:
        return []
    first = max(Month.parse(first_response), current.back(CATCH_UP_MONTHS))
    due = []
    month = first
    while month <= last:
        if not _made_or_making(session, month, now):
            due.append((month, _next_version(session, month)))
        month = month.next()
    return due


def _made_or_making(session: Session, month: Month, now: datetime) -> bool:
    latest = session.exec(
        select(Report).where(Report.month == str(month)).order_by(col(Report.version).desc())
    ).first()
    if latest is None or latest.status == "failed":
        return latest is not None and _has_done(session, month)
    if latest.status == "running" and now - latest.created_at > ABANDONED_AFTER:
        with writing(session):
            latest.status, latest.error, latest.finished_at = "failed", "abandoned", now
            session.add(latest)
        return _has_done(session, month)
    return True


def _has_done(session: Session, month: Month) -> bool:
    return latest_done(session, month) is not None


def report_counts(session: Session) -> dict[str, int]:
    """Report versions by status (the scheduler's queue, for ``/metrics``)."""
    rows = session.exec(select(Report.status, func.count()).group_by(col(Report.status)))
    return {status: int(n) for status, n in rows.all()}

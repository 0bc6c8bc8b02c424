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

import analytics
from app.db import writing
from app.models import Report, Response, utc_now
from app.months import Month
from app.principals import Principal
from app.reports.content import MonthlyReport, build_report
from app.reports.render_files import to_csv, to_xlsx
from app.reports.render_html import to_html
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
    failures: dict[str, str]

    @property
    def failure_text(self) -> str | None:
        return "; ".join(f"{fmt}: {why}" for fmt, why in self.failures.items()) or None


def render(
    session: Session,
    catalog: FormCatalog,
    month: Month,
    language: str = "vi",
    principal: Principal | None = None,
    small_sample: int = analytics.SMALL_SAMPLE,
) -> Rendered:
    """The report of ``month`` in all formats (for a unit key: its units only)."""
    report = build_report(session, catalog, month, principal, small_sample)
    failures: dict[str, str] = {}

    def attempt(fmt: str, renderer: Callable[[MonthlyReport, str], T]) -> T | None:
        try:
            return renderer(report, language)
        except Exception as exc:  # one format that fails never takes the others down
            log.exception("the %s of report %s failed", fmt, month)
            failures[fmt] = repr(exc)
            return None

    made = attempt("html", to_html), attempt("csv", to_csv), attempt("xlsx", to_xlsx)
    return Rendered(*made, failures)


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
    small_sample: int = analytics.SMALL_SAMPLE,
) -> Report | None:
    """Make ``version`` (by default the next one) of ``month``'s report; None when another
    process claimed that version first. A failure is stored on the version and re-raised."""
    report = _claim(session, month, version or _next_version(session, month))
    if report is None:
        return None
    # The outcome is written in a write transaction of its own: the rendering's read
    # transaction may have been overtaken by another replica's writes.
    try:
        rendered = render(session, catalog, month, small_sample=small_sample)
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

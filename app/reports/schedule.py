"""The report schedule: the previous month's report from 06:00 on the 1st (city time).

``run_due`` tallies the closed months (app.stats.tallying), then makes every report that
is due and not made; the scheduler embedded in ``sipas serve`` calls it once at start-up
(catching up missed months) and then every hour on the hour (``app.schedule``), which
makes the report at 06:00 on the 1st and retries a failed one an hour later. ``sipas
report run-due`` does the same from cron.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.models import Report
from app.reports.content import ReportOptions
from app.reports.service import due_months, generate
from app.stats.tallying import tally_closed_months
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.reports")


def run_due(
    engine: Engine,
    catalog: FormCatalog,
    zone: ZoneInfo,
    now: datetime | None = None,
    options: ReportOptions = ReportOptions(),
) -> list[Report]:
    """Make the reports due at ``now``; the ones this process made."""
    made: list[Report] = []
    with Session(engine, expire_on_commit=False) as session:
        try:
            tally_closed_months(session, catalog, zone, now)
        except Exception:  # the reports read the responses instead, only slower
            log.exception("tallying the closed months failed; it is retried at the next run")
        for month, version in due_months(session, now or clock.now(), zone):
            try:
                report = generate(session, catalog, month, version, options, zone)
            except Exception:  # recorded on the version's row; the month stays due
                log.warning("report %s failed; it is retried at the next hourly run", month)
                continue
            if report is not None:
                session.expunge(report)  # kept as made, whatever a later rollback expires
                made.append(report)
    log.info("scheduled run finished: %d report(s) made", len(made))
    return made

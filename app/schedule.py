"""The schedule inside ``sipas serve``: every hour, on the hour, the closed months' tallies
and the reports due (``app.reports.schedule.run_due``); at five past, the dossier feed and
the samples due (``app.dossiers.daily.run_dossier_day``); at ten past, on PostgreSQL, this
month's and the next month's response partitions (``app.responses.partitions``). All also
run once at start-up, catching up what a stopped server missed. Where cron runs the
commands instead, the settings turn the embedded schedule off (the writers then create a
new month's partition with its first response).
"""

import logging

from sqlalchemy import Engine

from app.config import Settings
from app.dossiers.daily import run_dossier_day
from app.reports.content import ReportOptions
from app.reports.schedule import run_due
from app.responses.partitions import prepare_partitions
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.schedule")


def start_scheduler(
    engine: Engine, catalog: FormCatalog, settings: Settings, options: ReportOptions
) -> object:
    """A background scheduler running the hourly jobs; call ``shutdown``."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    zone = settings.zone
    scheduler = BackgroundScheduler(timezone=zone)
    hourly = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    reports = (engine, catalog, zone, None, options)
    scheduler.add_job(run_due, args=reports, id="reports-catch-up")
    scheduler.add_job(run_due, CronTrigger(minute=0, timezone=zone), args=reports,
                      id="reports-hourly", **hourly)  # fmt: skip
    scheduler.add_job(run_dossier_day, args=(engine, settings), id="dossiers-catch-up")
    scheduler.add_job(run_dossier_day, CronTrigger(minute=5, timezone=zone),
                      args=(engine, settings), id="dossiers-hourly", **hourly)  # fmt: skip
    scheduler.add_job(prepare_partitions, args=(engine, zone), id="partitions-catch-up")
    scheduler.add_job(prepare_partitions, CronTrigger(minute=10, timezone=zone),
                      args=(engine, zone), id="partitions-hourly", **hourly)  # fmt: skip
    scheduler.start()
    log.info("scheduler started (%s)", zone.key)
    return scheduler

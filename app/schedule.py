"""The schedule inside ``sipas serve``: every hour, on the hour, the closed months' tallies
and the reports due (``app.reports.schedule.run_due``); at five past, the dossier feed and
the samples due (``app.dossiers.daily.run_dossier_day``); at ten past, on PostgreSQL, this
month's and the next month's response partitions (``app.responses.partitions``). All also
run once at start-up, catching up what a stopped server missed. Where cron runs the
commands instead, the settings turn the embedded schedule off (the writers then create a
new month's partition with its first response).

Each run is a spawned process of its own, one at a time. Tallying and reports are Python
work for seconds on end: in the server's threads they took turns on the interpreter with
the event loop that answers citizens, which then waited (submissions' p99 190–250 ms
during a start-up catch-up). A process of its own works on another core, takes the
database's write lock as every writer does, and gives its memory back when it ends.
"""

import logging
import logging.config
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from app.config import Settings
from app.db import create_db_engine
from app.dossiers.daily import run_dossier_day
from app.observability import log_config
from app.reports.schedule import run_due
from app.reports.service import report_options
from app.responses.partitions import prepare_partitions
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.schedule")


def start_scheduler(settings: Settings) -> object:
    """A background scheduler running the hourly jobs; call ``shutdown``."""
    from apscheduler.executors.pool import ProcessPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    zone = settings.zone
    runs = ProcessPoolExecutor(
        1,
        pool_kwargs={
            "mp_context": multiprocessing.get_context("spawn"),
            "max_tasks_per_child": 1,
            "initializer": _log_as_the_server,
        },
    )
    scheduler = BackgroundScheduler(timezone=zone, executors={"default": runs})
    hourly = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    for job, minute in ((run_reports, 0), (run_dossiers, 5), (run_partitions, 10)):
        name = job.__name__.removeprefix("run_")
        # Judged late or not by its process once started: the catch-up is never too late.
        scheduler.add_job(job, args=(settings,), id=f"{name}-catch-up", misfire_grace_time=None)
        scheduler.add_job(job, CronTrigger(minute=minute, timezone=zone), args=(settings,),
                          id=f"{name}-hourly", **hourly)  # fmt: skip
    scheduler.start()
    log.info("scheduler started (%s)", zone.key)
    return scheduler


def _log_as_the_server() -> None:
    logging.config.dictConfig(log_config())


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        yield engine
    finally:
        engine.dispose()


def run_reports(settings: Settings) -> None:
    with _database(settings) as engine:
        run_due(engine, FormCatalog.from_directory(), settings.zone, None, report_options(settings))


def run_dossiers(settings: Settings) -> None:
    with _database(settings) as engine:
        run_dossier_day(engine, settings)


def run_partitions(settings: Settings) -> None:
    with _database(settings) as engine:
        prepare_partitions(engine, settings.zone)

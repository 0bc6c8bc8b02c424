"""The schedule inside ``sipas serve``: every hour, on the hour, the closed months' tallies
and the reports due (``app.reports.schedule.run_due``); at five past, the dossier feed and
the samples due (``app.dossiers.daily.run_dossier_day``); at ten past, on PostgreSQL, this
month's and the next month's response partitions (``app.responses.partitions``). All also
run once at start-up, catching up what a stopped server missed. Where cron runs the
commands instead, the settings turn the embedded schedule off (the writers then create a
new month's partition with its first response).

Each run is a spawned process of its own, one at a time, ended with the server (a run cut
short is a rolled-back transaction, taken up again by the next). Tallying and reports are
Python work for seconds on end: in the server's threads they took turns on the interpreter
with the event loop that answers citizens, which then waited (submissions' p99 190–250 ms
during a start-up catch-up). A process of its own works on another core, takes the
database's write lock as every writer does, and gives its memory back when it ends.
"""

import logging
import logging.config
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from app.config import Settings
from app.db import settings_engine
from app.dossiers.daily import run_dossier_day
from app.observability import log_config
from app.reports.schedule import run_due
from app.reports.service import report_options
from app.responses.partitions import prepare_partitions
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.schedule")


class Schedule:
    """The hourly jobs, each run in a spawned process; ``shutdown`` ends a run under way."""

    def __init__(self, settings: Settings) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger

        self._zone = settings.zone
        one_at_a_time = {"default": ThreadPoolExecutor(1)}
        self._scheduler = BackgroundScheduler(timezone=self._zone, executors=one_at_a_time)
        hourly = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        for run, minute in ((run_reports, 0), (run_dossiers, 5), (run_partitions, 10)):
            name = run.__name__.removeprefix("run_")
            # Queued behind another run, the catch-up is never too late.
            self._scheduler.add_job(self._apart, args=(run, settings), id=f"{name}-catch-up",
                                    misfire_grace_time=None)  # fmt: skip
            every_hour = CronTrigger(minute=minute, timezone=self._zone)
            self._scheduler.add_job(self._apart, every_hour, args=(run, settings),
                                    id=f"{name}-hourly", **hourly)  # fmt: skip
        self._guard = threading.Lock()
        self._running: BaseProcess | None = None
        self._stopped = False

    def start(self) -> "Schedule":
        self._scheduler.start()
        log.info("scheduler started (%s)", self._zone.key)
        return self

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
        with self._guard:
            self._stopped = True
            running = self._running
        if running is not None:
            running.terminate()
            running.join()

    def _apart(self, run: Callable[[Settings], None], settings: Settings) -> None:
        """``run`` in a spawned process, waited for."""
        with self._guard:
            if self._stopped:
                return
            process = multiprocessing.get_context("spawn").Process(
                target=_logged, args=(run, settings), name=f"sipas-{run.__name__}"
            )  # not daemonic: a run may use processes of its own (an import's checkers)
            process.start()
            self._running = process
        process.join()
        with self._guard:
            self._running = None
        if process.exitcode and not self._stopped:
            log.error("%s ended with exit code %s", run.__name__, process.exitcode)


def _logged(run: Callable[[Settings], None], settings: Settings) -> None:
    logging.config.dictConfig(log_config())
    run(settings)


def run_reports(settings: Settings) -> None:
    with settings_engine(settings) as engine:
        run_due(engine, FormCatalog.from_directory(), settings.zone, None, report_options(settings))


def run_dossiers(settings: Settings) -> None:
    with settings_engine(settings) as engine:
        run_dossier_day(engine, settings)


def run_partitions(settings: Settings) -> None:
    with settings_engine(settings) as engine:
        prepare_partitions(engine, settings.zone)

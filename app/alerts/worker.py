"""The alert worker inside ``sipas serve``: ``run_alerts`` every few seconds, in a thread
of its own, so a slow receiver never holds up a citizen's request.

It sleeps in short relative steps (``time.sleep``) rather than on a timed wait: a timed
wait's deadline is an absolute reading of the clock, which a shifted clock (faketime, a
VM restored from a snapshot) can put out of reach, and the worker would never wake.
"""

import logging
import threading
import time

from sqlalchemy import Engine

from app.alerts.delivery import run_alerts
from app.config import Settings
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.alerts")
_STEP_SECONDS = 0.25


class AlertWorker:
    """A daemon thread sending due alerts every ``alert_interval_seconds``."""

    def __init__(self, engine: Engine, catalog: FormCatalog, settings: Settings) -> None:
        self._engine, self._catalog, self._settings = engine, catalog, settings
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="sipas-alerts", daemon=True)

    def start(self) -> "AlertWorker":
        self._thread.start()
        log.info("alert worker started (every %d s)", self._settings.alert_interval_seconds)
        return self

    def shutdown(self) -> None:
        self._stopping = True

    def _loop(self) -> None:
        while not self._stopping:
            slept = 0.0
            while slept < self._settings.alert_interval_seconds and not self._stopping:
                time.sleep(_STEP_SECONDS)
                slept += _STEP_SECONDS
            if not self._stopping:
                self._run()

    def _run(self) -> None:
        try:
            summary = run_alerts(self._engine, self._catalog, self._settings)
        except Exception:  # the database may be away a moment; the next run tries again
            log.exception("the alert run failed; it is retried at the next interval")
            return
        if summary.planned or summary.delivered or summary.retrying or summary.dead:
            log.info("alerts: %s", summary)

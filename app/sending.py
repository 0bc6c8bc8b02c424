"""The sending worker inside ``sipas serve``: every few seconds, the alerts that are due
(``run_alerts``) and the sample's invitation messages (``send_due_messages``), in a thread
of its own, so a slow receiver or gateway never holds up a citizen's request.

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
from app.messaging.sender import send_due_messages
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.sending")
_STEP_SECONDS = 0.25


class SendingWorker:
    """A daemon thread sending what is due every ``alert_interval_seconds``."""

    def __init__(self, engine: Engine, catalog: FormCatalog, settings: Settings) -> None:
        self._engine, self._catalog, self._settings = engine, catalog, settings
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="sipas-sending", daemon=True)

    def start(self) -> "SendingWorker":
        self._thread.start()
        log.info("sending worker started (every %d s)", self._settings.alert_interval_seconds)
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
            if summary.planned or summary.delivered or summary.retrying or summary.dead:
                log.info("alerts: %s", summary)
            messages = send_due_messages(self._engine, self._settings)
            if messages.sent or messages.retrying or messages.dead or messages.skipped:
                log.info("invitation messages: %s", messages)
        except Exception:  # the database may be away a moment; the next run tries again
            log.exception("the sending run failed; it is retried at the next interval")

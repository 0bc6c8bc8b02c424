"""The alert worker inside ``sipas serve``: ``run_alerts`` every few seconds, in a thread
of its own, so a slow receiver never holds up a citizen's request."""

import logging

from sqlalchemy import Engine

from app.alerts.delivery import run_alerts
from app.config import Settings
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.alerts")


def _run(engine: Engine, catalog: FormCatalog, settings: Settings) -> None:
    try:
        summary = run_alerts(engine, catalog, settings)
    except Exception:  # the database may be away a moment; the next run tries again
        log.exception("the alert run failed; it is retried at the next interval")
        return
    if summary.planned or summary.delivered or summary.retrying or summary.dead:
        log.info("alerts: %s", summary)


def start_alert_worker(engine: Engine, catalog: FormCatalog, settings: Settings) -> object:
    """A background scheduler sending due alerts every ``alert_interval_seconds``; call
    ``shutdown`` on it."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone=settings.zone)
    scheduler.add_job(_run, IntervalTrigger(seconds=settings.alert_interval_seconds),
                      args=(engine, catalog, settings), id="alerts", coalesce=True,
                      max_instances=1)  # fmt: skip
    scheduler.start()
    log.info("alert worker started (every %d s)", settings.alert_interval_seconds)
    return scheduler

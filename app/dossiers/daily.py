"""The dossiers' hourly work: pull the feed, then draw the samples that are due — in this
order, so that a morning's draw sees the night's file."""

import logging

from sqlmodel import Session

from app.config import Settings
from app.dossiers.feed import Bind, Pulled, pull_feed
from app.dossiers.sampling import draw_due
from app.models import SampleDraw

log = logging.getLogger("sipas.dossiers")


def run_dossier_day(bind: Bind, settings: Settings) -> tuple[list[Pulled], list[SampleDraw]]:
    """One run: the files pulled and the draws made."""
    pulled = pull_feed(bind, settings)
    draws: list[SampleDraw] = []
    if settings.sample_daily:
        try:
            with Session(bind, expire_on_commit=False,
                         join_transaction_mode="create_savepoint") as session:  # fmt: skip
                draws = draw_due(session, settings)
        except Exception:  # the database away: the next run draws the day
            log.exception("drawing the due samples failed; retried at the next run")
    for draw in draws:
        log.info("sample of %s drawn: %d of %d invited", draw.drawn_on, draw.invited,
                 draw.frame_size)  # fmt: skip
    return pulled, draws

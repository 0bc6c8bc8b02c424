"""The daily stratified random sample of finished dossiers.

Each sector's monthly rate should be known to ±margin at the level the city sets: that
fixes a monthly number of answers (with the finite-population correction for the
sector's dossiers), which the response rate seen so far turns into invitations, and the
sector's expected monthly dossiers into a fraction to draw. Each day, every stratum
(unit × sector) of the day's finished dossiers that can be reached (a phone, not invited
within ``no_repeat_days``) is sampled at its sector's fraction: within a sector every
dossier has the same chance, so the design weights are the frame's counts over the
answers, stratum by stratum (docs/method.md, "The sampled stream").

The draw is reproducible: a seeded generator over the frame in a fixed order, the seed and
the frame's hash recorded with it.
"""

import hashlib
import hmac
import json
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import NormalDist
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.db import writing
from app.messaging.sender import queue_messages
from app.models import Dossier, Invitation, OptOut, SampleDraw
from app.phones import phone_box
from app.surveys.links import new_slug

# What a sector's rate is planned at before any answer: near the plan's 90 % targets,
# where p(1 - p) is smaller than at 50 %; the response rate assumed before any is seen.
PLANNING_RATE = 0.9
FIRST_RESPONSE_RATE = 0.3
# Invitations a response rate is read from before it replaces the assumed one.
RATE_EVIDENCE = 30
HISTORY_DAYS = 30


def monthly_answers(frame: int, margin: float, level: float, rate: float = PLANNING_RATE) -> int:
    """Answers a month needs for ±``margin`` at ``level`` on a rate near ``rate``, from a
    frame of ``frame`` dossiers (finite-population correction).

    >>> monthly_answers(10**9, 0.03, 0.95)
    385
    >>> monthly_answers(1000, 0.03, 0.95)
    278
    """
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    first = z * z * rate * (1 - rate) / (margin * margin)
    return math.ceil(first / (1 + (first - 1) / max(frame, 1)))


def choose(
    strata: Mapping[tuple[int, str], Sequence[str]], fractions: Mapping[str, float], seed: int
) -> list[str]:
    """The dossiers drawn: from each (unit, sector) stratum, in a fixed order, its sector's
    fraction of them (the fractional part by a coin), by simple random sampling.

    >>> strata = {(1, "land"): ["a", "b", "c", "d"], (2, "land"): ["e", "f"]}
    >>> choose(strata, {"land": 0.5}, seed=7) == choose(strata, {"land": 0.5}, seed=7)
    True
    >>> len(choose(strata, {"land": 1.0}, seed=7))
    6
    """
    rng = random.Random(seed)  # noqa: S311  # a survey sample, reproducible by design
    drawn: list[str] = []
    for key in sorted(strata):
        members = sorted(strata[key])
        wanted = fractions.get(key[1], 0.0) * len(members)
        size = math.floor(wanted) + (1 if rng.random() < wanted - math.floor(wanted) else 0)
        drawn.extend(rng.sample(members, min(size, len(members))))
    return drawn


@dataclass(frozen=True)
class SectorPlan:
    monthly_frame: int
    answers: int
    response_rate: float
    fraction: float


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    return start, start + timedelta(days=1)


def phone_hash(secret: str, phone: str) -> str:
    return hmac.new(secret.encode(), b"phone:" + phone.encode(), hashlib.sha256).hexdigest()


def _response_rates(session: Session, now: datetime) -> dict[str, float]:
    """Per sector, answers over invitations of the sampled stream whose answer window has
    closed or that were answered (recent months)."""
    since = now - timedelta(days=90)
    rows = session.exec(
        select(Invitation.sector_code, func.count(), func.count(col(Invitation.used_at)))
        .where(col(Invitation.draw_id).is_not(None), col(Invitation.created_at) >= since)
        .where((col(Invitation.expires_at) <= now) | col(Invitation.used_at).is_not(None))
        .group_by(col(Invitation.sector_code))
    ).all()
    return {sector: used / sent for sector, sent, used in rows if sent >= RATE_EVIDENCE}


def _plans(session: Session, day: date, settings: Settings, now: datetime) -> dict[str, SectorPlan]:
    start, _ = _day_bounds(day - timedelta(days=HISTORY_DAYS - 1), settings.zone)
    _, end = _day_bounds(day, settings.zone)
    frames = session.exec(
        select(Dossier.sector_code, func.count(), func.min(Dossier.finished_at))
        .where(col(Dossier.finished_at) >= start, col(Dossier.finished_at) < end)
        .group_by(col(Dossier.sector_code))
    ).all()
    rates = _response_rates(session, now)
    plans = {}
    for sector, recent, first in frames:
        # A feed that began less than 30 days ago: its days so far stand for the month.
        seen = (end - (first or end)).days + 1
        monthly = max(1, round(recent * 30 / min(HISTORY_DAYS, max(seen, 1))))
        answers = monthly_answers(monthly, settings.sample_margin, settings.sample_level)
        rate = min(1.0, max(0.05, rates.get(sector, FIRST_RESPONSE_RATE)))
        plans[sector] = SectorPlan(monthly, answers, rate, min(1.0, answers / rate / monthly))
    return plans


def draw_sample(
    session: Session, day: date, settings: Settings, seed: int | None = None
) -> SampleDraw:
    """Draw the day's sample and make its invitations; a day is drawn once (asking again
    returns its draw)."""
    existing = session.exec(select(SampleDraw).where(SampleDraw.drawn_on == day)).first()
    if existing is not None:
        return existing
    now = clock.now()
    secret = settings.resolved_secret_key()
    box = phone_box(secret)
    start, end = _day_bounds(day, settings.zone)
    frame = session.exec(
        select(Dossier)
        .where(col(Dossier.finished_at) >= start, col(Dossier.finished_at) < end)
        .order_by(col(Dossier.code_hash))
    ).all()
    invited_dossiers = set(
        session.exec(
            select(Invitation.dossier_hash).where(
                col(Invitation.dossier_hash).in_([d.code_hash for d in frame])
            )
        ).all()
    )
    recent_phones = set(
        session.exec(
            select(Invitation.phone_hash).where(
                col(Invitation.phone_hash).is_not(None),
                col(Invitation.created_at) >= now - timedelta(days=settings.no_repeat_days),
            )
        ).all()
    )
    recent_phones |= set(session.exec(select(OptOut.phone_hash)).all())
    reachable: dict[str, tuple[Dossier, str]] = {}
    strata: dict[tuple[int, str], list[str]] = defaultdict(list)
    for dossier in frame:
        if dossier.phone_cipher is None or dossier.code_hash in invited_dossiers:
            continue
        phone = box.decrypt(dossier.phone_cipher).decode()
        key = phone_hash(secret, phone)
        if key in recent_phones:
            continue
        recent_phones.add(key)  # one invitation per person a day, too
        reachable[dossier.code_hash] = (dossier, key)
        strata[(dossier.unit_id, dossier.sector_code)].append(dossier.code_hash)
    plans = _plans(session, day, settings, now)
    seed = secrets.randbits(31) if seed is None else seed
    chosen = choose(strata, {s: p.fraction for s, p in plans.items()}, seed)
    frame_hash = hashlib.sha256("\n".join(d.code_hash for d in frame).encode()).hexdigest()
    with writing(session):
        draw = SampleDraw(
            drawn_on=day,
            seed=seed,
            frame_sha256=frame_hash,
            frame_size=len(frame),
            eligible=len(reachable),
            invited=len(chosen),
            plan=json.dumps({s: vars(p) for s, p in sorted(plans.items())}),
            created_at=now,
        )
        session.add(draw)
        session.flush()
        invitations = []
        for code_hash in chosen:
            dossier, key = reachable[code_hash]
            invitations.append(
                Invitation(
                    slug=new_slug(),
                    dossier_hash=code_hash,
                    unit_id=dossier.unit_id,
                    sector_code=dossier.sector_code,
                    procedure_code=dossier.procedure_code,
                    channel="online" if dossier.channel == "online" else "counter",
                    created_at=now,
                    expires_at=now + timedelta(days=settings.invitation_window_days),
                    draw_id=draw.id,
                    phone_hash=key,
                )
            )
        session.add_all(invitations)
        session.flush()
        queue_messages(session, invitations, settings)
    return draw


def draw_due(session: Session, settings: Settings) -> list[SampleDraw]:
    """The samples due now and not drawn: yesterday's from ``sample_draw_hour`` (city
    time), and the days before it within the invitation window that have dossiers with a
    phone and no draw (the server was down that morning, or the feed came late)."""
    local = clock.now().astimezone(settings.zone)
    last = local.date() - timedelta(days=1 if local.hour >= settings.sample_draw_hour else 2)
    drawn = []
    for back in range(settings.invitation_window_days - 1, -1, -1):
        day = last - timedelta(days=back)
        start, end = _day_bounds(day, settings.zone)
        if session.exec(select(SampleDraw.id).where(SampleDraw.drawn_on == day)).first():
            continue
        reachable = session.exec(
            select(Dossier.id)
            .where(col(Dossier.finished_at) >= start, col(Dossier.finished_at) < end)
            .where(col(Dossier.phone_cipher).is_not(None))
            .limit(1)
        ).first()
        if reachable is not None:
            drawn.append(draw_sample(session, day, settings))
    return drawn

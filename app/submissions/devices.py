"""Recognising a repeat from one device without knowing who it is.

A device is its ``sipas_device`` cookie, or its IP address when it keeps no cookies. Only
a keyed hash of either is stored, salted with the day: responses can be linked within a
day (that is the point: a second answer from one device at one counter within ten
minutes is flagged ``repeat_device``) but never across days, and the raw address never
reaches the database.
"""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam
from sqlmodel import col, func, select

from app.models import Response

DEVICE_COOKIE = "sipas_device"
# Set by a kiosk (``?kiosk=1``): one shared device answers for many citizens in a row.
KIOSK_COOKIE = "sipas_kiosk"
REPEAT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DeviceTrace:
    """What the request tells about the device: its cookie, its address, kiosk or not."""

    cookie: str | None
    ip: str | None
    kiosk: bool = False


def _day_key(secret: str, day: date, trace: DeviceTrace) -> str:
    who = f"cookie:{trace.cookie}" if trace.cookie else f"ip:{trace.ip}"
    message = f"{day.isoformat()}|{who}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def device_keys(secret: str, zone: ZoneInfo, at: datetime, trace: DeviceTrace) -> tuple[str, ...]:
    """The device's key for the day of ``at`` (stored with the response), then the key of
    the previous day when the repeat window reaches back over midnight."""
    if not trace.cookie and not trace.ip:
        return ()
    today = at.astimezone(zone).date()
    window_start = (at - REPEAT_WINDOW).astimezone(zone).date()
    days = [today] + ([window_start] if window_start != today else [])
    return tuple(_day_key(secret, day, trace) for day in days)


class Visit(NamedTuple):
    """A response as the repeat check sees it: its device's keys, counter and moment."""

    keys: tuple[str, ...]
    counter_id: int | None
    at: datetime


# Built once: every batch of submissions asks it. The latest answer of each device and
# counter is enough: one row each, however busy a shared address is.
_LATEST = (
    select(col(Response.device_hash), col(Response.counter_id), func.max(Response.submitted_at))
    .where(
        col(Response.device_hash).in_(bindparam("keys", expanding=True)),
        col(Response.submitted_at) >= bindparam("since"),
        # Implied by the line above; on PostgreSQL it leaves out the other months' partitions.
        col(Response.local_date) >= bindparam("since_day"),
    )
    .group_by(col(Response.device_hash), col(Response.counter_id))
)


def repeats(connection: Connection, visits: Sequence[Visit], zone: ZoneInfo) -> list[bool]:
    """For each visit, in order, whether the same device answered at the same counter
    within the window before it: in the database, or earlier in ``visits`` (a batch that
    is stored together). One query for all of them."""
    asked = [visit for visit in visits if visit.keys and visit.counter_id is not None]
    if not asked:
        return [False] * len(visits)
    since = min(visit.at for visit in asked) - REPEAT_WINDOW
    latest: dict[tuple[str | None, int | None], datetime] = {
        (device_hash, counter_id): at
        for device_hash, counter_id, at in connection.execute(
            _LATEST,
            {
                "keys": sorted({key for visit in asked for key in visit.keys}),
                "since": since,
                "since_day": since.astimezone(zone).date(),
            },
        )
    }
    found = []
    for visit in visits:
        if not visit.keys or visit.counter_id is None:
            found.append(False)
            continue
        earlier = [latest.get((key, visit.counter_id)) for key in visit.keys]
        found.append(any(at is not None and at >= visit.at - REPEAT_WINDOW for at in earlier))
        # Its own key is the day's: what follows it in the batch finds it there.
        mine = (visit.keys[0], visit.counter_id)
        latest[mine] = max(visit.at, latest.get(mine, visit.at))
    return found

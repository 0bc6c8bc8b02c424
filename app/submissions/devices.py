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
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from app.bulk import encoder
from app.models import metadata

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

    @classmethod
    def of(
        cls, device_cookie: str | None, kiosk_cookie: str | None, ip: str | None
    ) -> "DeviceTrace":
        """What a request's two cookies and its address tell (an empty cookie is none)."""
        return cls(cookie=device_cookie or None, ip=ip, kiosk=kiosk_cookie == "1")


@lru_cache(maxsize=4)
def _keyed(secret: str) -> "hmac.HMAC":
    """The HMAC keyed with ``secret``, copied for each message (keying costs as much as
    the message)."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def _day_key(secret: str, day: date, trace: DeviceTrace) -> str:
    who = f"cookie:{trace.cookie}" if trace.cookie else f"ip:{trace.ip}"
    keyed = _keyed(secret).copy()
    keyed.update(f"{day.isoformat()}|{who}".encode())
    return keyed.hexdigest()


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


# Whether each of a batch's devices answered at its counter since a moment: one query for
# the batch, in which each question stops at the first answer it finds, so a busy shared
# address costs no more than a quiet one. (Two keys: a window over midnight asks for the
# day before too; one key is given twice. The day bound is implied by the moment; on
# PostgreSQL it leaves out the other months' partitions.)
_EARLIER = (
    "SELECT {visit} WHERE EXISTS (SELECT 1 FROM response WHERE device_hash IN ({p}, {p})"
    " AND counter_id = {p} AND submitted_at >= {p} AND local_date >= {p})"
)
_BOUNDS = ("submitted_at", "local_date")  # in the table's order


@lru_cache(maxsize=256)
def _earlier(visits: int, placeholder: str) -> str:
    return " UNION ALL ".join(_EARLIER.format(visit=i, p=placeholder) for i in range(visits))


def repeats(connection: Connection, visits: Sequence[Visit], zone: ZoneInfo) -> list[bool]:
    """For each visit, in order, whether the same device answered at the same counter
    within the window before it: earlier in ``visits`` (a batch stored together), or else
    in the database."""
    found = [False] * len(visits)
    asked: list[int] = []  # the visits to ask the database about
    earlier: dict[tuple[str, int], list[datetime]] = {}  # the batch's, by day key and counter
    for i, (keys, counter_id, at) in enumerate(visits):
        if not keys or counter_id is None:
            continue
        since = at - REPEAT_WINDOW
        if any(t >= since for key in keys for t in earlier.get((key, counter_id), ())):
            found[i] = True
        else:
            asked.append(i)
        earlier.setdefault((keys[0], counter_id), []).append(at)
    if asked:
        dialect = connection.dialect
        encode = encoder(metadata.tables["response"], _BOUNDS, dialect)
        parameters: list[Any] = []
        for i in asked:
            keys, counter_id, at = visits[i]
            since = at - REPEAT_WINDOW
            parameters.extend((keys[0], keys[-1], counter_id,
                               *encode((since, since.astimezone(zone).date()))))  # fmt: skip
        placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        answered = connection.exec_driver_sql(_earlier(len(asked), placeholder), tuple(parameters))
        for (position,) in answered:
            found[asked[position]] = True
    return found

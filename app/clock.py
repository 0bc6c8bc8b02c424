"""The platform's one clock: every reading of "now" goes through ``now()``.

Months, reports, tallies, invitations, tokens and the demo all depend on the date; one
seam lets tests (and a demo at a chosen moment) set it, and lets a test run under
``faketime`` prove that nothing reads the wall clock behind its back. Durations
(timeouts, latencies) use ``time.monotonic``, which is not "now" and stays outside.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that shows ``moment`` until it is moved."""

    moment: datetime

    def __post_init__(self) -> None:
        if self.moment.tzinfo is None:
            raise ValueError("a FixedClock needs a timezone-aware moment")
        self.moment = self.moment.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


_current: Clock = SystemClock()
C = TypeVar("C", bound=Clock)


def now() -> datetime:
    """The current moment in UTC, from the clock in use."""
    return _current.now()


def today(zone: ZoneInfo) -> date:
    """The current date in ``zone`` (the city's calendar day, not UTC's)."""
    return now().astimezone(zone).date()


def timestamp() -> float:
    """The current moment as seconds since the epoch, for signed tokens."""
    return now().timestamp()


@contextmanager
def using(clock: C) -> Iterator[C]:
    """Read the time from ``clock`` inside the block, in every thread."""
    global _current
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous

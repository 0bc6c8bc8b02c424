"""Calendar months, the unit of weighting cells, tallies and reports."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.errors import FieldError
from app.text import is_whole_number

# The years a date may fall in anywhere on the platform: a period, a start time, a cursor.
# Far outside them lie dates that overflow on the way to UTC or to the database.
FIRST_YEAR, LAST_YEAR = 2000, 2100
OUTSIDE_YEARS = f"dates run from {FIRST_YEAR} to {LAST_YEAR}"


def within_years(day: date) -> bool:
    """``day`` (a date, or an aware moment judged where it is and in UTC) lies in the years.

    >>> within_years(datetime.fromisoformat("0001-01-01T00:00:00+14:00"))
    False
    """
    if FIRST_YEAR < day.year < LAST_YEAR:
        return True  # no offset carries a moment of these years out of them
    if isinstance(day, datetime) and day.utcoffset() is not None:
        try:
            utc = day.astimezone(UTC)
        except OverflowError:
            return False
        return within_years(day.replace(tzinfo=None)) and within_years(utc.replace(tzinfo=None))
    return FIRST_YEAR <= day.year <= LAST_YEAR


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """``Month.parse("2026-10")``; ValueError for anything else."""
        year, sep, month = text.partition("-")
        if not (
            sep
            and len(year) == 4
            and len(month) == 2
            and is_whole_number(year)
            and is_whole_number(month)
        ):
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        found = cls(int(year), int(month))
        if not 1 <= found.month <= 12:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        if not within_years(found.first_day):
            raise ValueError(f"{OUTSIDE_YEARS}, not {found.year}")
        return found

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def back(self, months: int) -> "Month":
        found = self
        for _ in range(months):
            found = found.previous()
        return found

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)


def months_of(date_from: date, date_to: date) -> list[str]:
    """The months (``YYYY-MM``) that the period from ``date_from`` to ``date_to`` touches."""
    months = []
    month, last = Month.of(date_from), Month.of(date_to)
    while month <= last:
        months.append(str(month))
        month = month.next()
    return months


def period_errors(first: date, last: date) -> list[FieldError]:
    """What is wrong with a period given as ``from`` and ``to`` days, by parameter."""
    errors = [
        FieldError(name, f"{OUTSIDE_YEARS}, not {day.year}")
        for name, day in (("from", first), ("to", last))
        if not within_years(day)
    ]
    if not errors and first > last:
        errors.append(FieldError("to", "the period ends before it starts"))
    return errors

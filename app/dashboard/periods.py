"""The dashboard's period, read from its URL: a month, a quarter, a year or a range of days.

``?period=2026-11``, ``?period=2026-Q4``, ``?period=2026`` or ``?from=2026-10-01&to=2026-11-15``
(``?month=2026-11`` is read as a month too). What cannot be shown is said in words, in
Vietnamese, and the current month is shown instead: a shared link never ends in an error.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.months import FIRST_YEAR, LAST_YEAR, Month, within_years

PeriodKind = Literal["month", "quarter", "year", "range"]
QUARTER_NAMES = ("I", "II", "III", "IV")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class Period:
    """Calendar days in the city's time zone, first to last; ``last`` never after today."""

    kind: PeriodKind
    first: date
    last: date
    # The URL's value: "2026-11", "2026-Q4", "2026"; a range travels as from/to instead.
    key: str
    # The period's nominal end (a month's last day) when ``last`` was cut at today.
    ends: date

    @property
    def to_date(self) -> bool:
        return self.last < self.ends

    @property
    def last_month(self) -> Month:
        return Month(self.last.year, self.last.month)

    @property
    def label(self) -> str:
        if self.kind == "month":
            text = f"Tháng {self.first.month:02d}/{self.first.year}"
        elif self.kind == "quarter":
            text = f"Quý {QUARTER_NAMES[(self.first.month - 1) // 3]}/{self.first.year}"
        elif self.kind == "year":
            text = f"Năm {self.first.year}"
        else:
            return f"Từ {self.first:%d/%m/%Y} đến {self.last:%d/%m/%Y}"
        return f"{text}, đến ngày {self.last:%d/%m/%Y}" if self.to_date else text

    def query(self) -> dict[str, str]:
        """The URL parameters that give this period back."""
        if self.kind == "range":
            return {"from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.key}


def this_month(today: date) -> Period:
    return _spanning("month", str(Month(today.year, today.month)), *_month_days(today), today)


def read_period(
    period: str | None, date_from: str | None, date_to: str | None, today: date
) -> tuple[Period, str | None]:
    """The period a URL asks for, and what could not be shown (None when all was well)."""
    if date_from or date_to:
        return _range(date_from or "", date_to or "", today)
    if not period:
        return this_month(today), None
    asked = period.strip()
    if (
        asked[:4].isascii()
        and asked[:4].isdigit()
        and not FIRST_YEAR <= int(asked[:4]) <= LAST_YEAR
    ):
        return this_month(today), f"{_years_in_vietnamese()}; đang hiển thị tháng này."
    span = _named(asked)
    if span is None:
        return this_month(today), (
            f"“{asked}” không phải là một kỳ (tháng NNNN-TT, quý NNNN-Q1…Q4 hoặc năm NNNN); "
            "đang hiển thị tháng này."
        )
    kind, first, last = span
    if first > today:
        return this_month(today), f"Kỳ {asked} chưa đến; đang hiển thị tháng này."
    return _spanning(kind, asked, first, last, today), None


def _named(asked: str) -> tuple[PeriodKind, date, date] | None:
    if _YEAR.fullmatch(asked):
        year = int(asked)
        return "year", date(year, 1, 1), date(year, 12, 31)
    if match := _QUARTER.fullmatch(asked):
        year, quarter = int(match[1]), int(match[2])
        return "quarter", Month(year, 3 * quarter - 2).first_day, Month(year, 3 * quarter).last_day
    try:
        month = Month.parse(asked)
    except ValueError:
        return None
    return "month", month.first_day, month.last_day


def _range(date_from: str, date_to: str, today: date) -> tuple[Period, str | None]:
    if not (date_from and date_to):
        return this_month(today), (
            "Một khoảng ngày cần cả ngày bắt đầu và ngày kết thúc; đang hiển thị tháng này."
        )
    days: list[date] = []
    for text in (date_from, date_to):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            return this_month(today), (
                f"“{text}” không phải là một ngày (NNNN-TT-NN); đang hiển thị tháng này."
            )
    first, last = days
    if not (within_years(first) and within_years(last)):
        return this_month(today), f"{_years_in_vietnamese()}; đang hiển thị tháng này."
    if first > last:
        return this_month(today), "Ngày bắt đầu sau ngày kết thúc; đang hiển thị tháng này."
    if first > today:
        return this_month(today), "Khoảng ngày này chưa đến; đang hiển thị tháng này."
    return Period("range", first, min(last, today), "", last), None


def _spanning(kind: PeriodKind, key: str, first: date, last: date, today: date) -> Period:
    return Period(kind, first, min(last, today), key, last)


def _month_days(day: date) -> tuple[date, date]:
    month = Month(day.year, day.month)
    return month.first_day, month.last_day


def _years_in_vietnamese() -> str:
    return f"Ngày phải nằm trong các năm {FIRST_YEAR}–{LAST_YEAR}"

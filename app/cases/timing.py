"""How fast units follow cases up: working-day deadlines and the month's figures per unit.

Working days are Monday to Friday in the city's time; public holidays are not taken out
(docs/alerts.md). A case is on time when it was resolved by the same time of day
``target`` working days after it opened.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5


def deadline(opened_at: datetime, working_days: int, zone: ZoneInfo) -> datetime:
    """``working_days`` weekdays after ``opened_at``, at the same time of day.

    >>> from datetime import UTC
    >>> city = ZoneInfo("Asia/Ho_Chi_Minh")
    >>> friday = datetime(2026, 10, 9, 3, 0, tzinfo=UTC)  # Friday 10:00 in Hải Phòng
    >>> deadline(friday, 2, city).astimezone(city).strftime("%a %H:%M")
    'Tue 10:00'
    """
    moment = opened_at.astimezone(zone)
    counted = 0
    while counted < working_days:
        moment += timedelta(days=1)
        if moment.weekday() < SATURDAY:
            counted += 1
    return moment.astimezone(opened_at.tzinfo)


@dataclass(frozen=True, slots=True)
class CaseTimes:
    unit_code: str
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


def _hours(spans: list[timedelta]) -> float | None:
    return statistics.median(s.total_seconds() / 3600 for s in spans) if spans else None


def follow_up_by_unit(
    cases: Iterable[CaseTimes], target: int, zone: ZoneInfo, now: datetime
) -> list[dict[str, object]]:
    """Per unit: cases opened, acknowledged, resolved, median hours to acknowledge and to
    resolve, resolved on time, and still open past the target at ``now``."""
    by_unit: dict[str, list[CaseTimes]] = {}
    for case in cases:
        by_unit.setdefault(case.unit_code, []).append(case)
    rows: list[dict[str, object]] = []
    for unit, found in sorted(by_unit.items()):
        acknowledged = [c.acknowledged_at - c.opened_at for c in found if c.acknowledged_at]
        resolved = [c for c in found if c.resolved_at]
        on_time = sum(
            1
            for c in resolved
            if c.resolved_at is not None and c.resolved_at <= deadline(c.opened_at, target, zone)
        )
        overdue = sum(
            1 for c in found if c.resolved_at is None and now > deadline(c.opened_at, target, zone)
        )
        rows.append(
            {
                "unit": unit,
                "opened": len(found),
                "acknowledged": len(acknowledged),
                "resolved": len(resolved),
                "median_hours_to_acknowledge": _hours(acknowledged),
                "median_hours_to_resolve": _hours(
                    [c.resolved_at - c.opened_at for c in resolved if c.resolved_at]
                ),
                "resolved_on_time": on_time,
                "open_past_target": overdue,
                "on_time_share": on_time / len(found),
            }
        )
    return rows

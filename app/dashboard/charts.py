"""Geometry of the dashboard's charts, drawn as inline SVG by its templates.

Inline SVG needs no script, no library and no inline style (presentation attributes are
not styles), so the strict Content-Security-Policy stands; it is text, so it scales on a
tablet, prints, and costs microseconds where matplotlib costs a second to import.

Rates lie between 85 % and 100 % in practice: an axis from 0 would hide every difference
in a few pixels. Both charts start near the data (and the target) and mark the target.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

STEP = 0.05  # axis bounds fall on whole 5 % steps
WIDTH = 760
LABEL_WIDTH = 260
ROW_HEIGHT = 26
AXIS_HEIGHT = 28


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    left: float
    right: float

    def x(self, value: float) -> float:
        share = (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)
        return round(self.left + share * (self.right - self.left), 1)

    def clipped(self, value: float) -> bool:
        return value < self.low

    @property
    def ticks(self) -> list[tuple[float, str]]:
        steps = round((self.high - self.low) / STEP)
        every = 1 if steps <= 8 else 2 if steps <= 16 else 4
        values = [self.low + STEP * i for i in range(0, steps + 1) if (steps - i) % every == 0]
        return [(self.x(v), f"{round(v * 100)} %") for v in values]


def axis_for(values: Sequence[float], left: float, right: float) -> Axis:
    """An axis from just below the lowest value (rates, targets, interval ends) to 100 %."""
    low = min(values, default=0.9)
    # The epsilon keeps 0.60 / 0.05 from flooring to 11.
    bottom = max(0.0, math.floor((low - 0.01) / STEP + 1e-9) * STEP)
    return Axis(round(bottom, 2), 1.0, left, right)


def _bounds(rows: Sequence[dict[str, Any]]) -> list[float]:
    """What the axis must show: every rate and target, and the intervals of the rows that
    are not small samples (a small sample's interval may reach 10 %: it is drawn cut at the
    axis, marked so, and its figures are in the table)."""
    values = [r["rate"] for r in rows if r.get("rate") is not None]
    values += [r["target"] for r in rows if r.get("target") is not None]
    values += [
        r["ci_low"] for r in rows if r.get("ci_low") is not None and not r.get("small_sample")
    ]
    return values


@dataclass(frozen=True)
class Bar:
    """One row of a caterpillar chart: a domain's rate with its interval."""

    label: str
    href: str | None
    y: float
    rate_x: float | None
    low_x: float | None
    high_x: float | None
    target_x: float | None
    below: bool  # the whole interval lies below the target
    cut: bool  # the interval reaches below the axis
    row: dict[str, Any]


@dataclass(frozen=True)
class Caterpillar:
    axis: Axis
    bars: list[Bar]
    height: float
    width: int = WIDTH


def caterpillar(rows: Sequence[tuple[str, str | None, dict[str, Any]]]) -> Caterpillar | None:
    """``(label, link, satisfaction row)`` in the order given, as interval bars.

    Rows are not ranked: overlapping intervals do not order the domains. A bar is marked
    only when its whole interval lies below its target (status ``not_met``).
    """
    rated = [item for item in rows if item[2].get("rate") is not None]
    if not rated:
        return None
    axis = axis_for(_bounds([row for _, _, row in rated]), LABEL_WIDTH, WIDTH - 16)
    bars = []
    for position, (label, href, row) in enumerate(rated):
        target = row.get("target")
        bars.append(
            Bar(
                label=label,
                href=href,
                y=AXIS_HEIGHT + ROW_HEIGHT * position + ROW_HEIGHT / 2,
                rate_x=axis.x(row["rate"]),
                low_x=None if row.get("ci_low") is None else axis.x(row["ci_low"]),
                high_x=None if row.get("ci_high") is None else axis.x(row["ci_high"]),
                target_x=None if target is None else axis.x(target),
                below=row.get("status") == "not_met",
                cut=row.get("ci_low") is not None and axis.clipped(row["ci_low"]),
                row=row,
            )
        )
    return Caterpillar(axis, bars, AXIS_HEIGHT + ROW_HEIGHT * len(bars) + 8)


@dataclass(frozen=True)
class TrendPoint:
    label: str
    x: float
    y: float | None
    low_y: float | None
    high_y: float | None
    point: dict[str, Any]


@dataclass(frozen=True)
class TrendChart:
    points: list[TrendPoint]
    band: str  # SVG polygon points of the interval band
    line: str  # SVG polyline points of the rates
    ticks: list[tuple[float, str]]
    target_y: float | None
    width: int
    height: int


TREND_WIDTH, TREND_HEIGHT = 720, 220
_TOP, _BOTTOM, _LEFT, _RIGHT = 12, 30, 48, 28


def trend_chart(points: Sequence[dict[str, Any]]) -> TrendChart | None:
    """Months left to right; the rate, its interval as a band, the target as a line."""
    rated = [p for p in points if p.get("rate") is not None]
    if not rated:
        return None
    # The same axis rules as the caterpillar, turned upright: y grows downwards.
    axis = axis_for(_bounds(points), TREND_HEIGHT - _BOTTOM, _TOP)
    step = (TREND_WIDTH - _LEFT - _RIGHT) / max(len(points) - 1, 1)
    placed = []
    for i, p in enumerate(points):
        rated_point = p.get("rate") is not None
        placed.append(
            TrendPoint(
                label=f"{p['month'][5:]}/{p['month'][2:4]}",
                x=round(_LEFT + step * i, 1),
                y=axis.x(p["rate"]) if rated_point else None,
                low_y=axis.x(p["ci_low"]) if rated_point and p.get("ci_low") is not None else None,
                high_y=(
                    axis.x(p["ci_high"]) if rated_point and p.get("ci_high") is not None else None
                ),
                point=p,
            )
        )
    banded = [t for t in placed if t.low_y is not None and t.high_y is not None]
    band = " ".join(
        [f"{t.x},{t.high_y}" for t in banded] + [f"{t.x},{t.low_y}" for t in reversed(banded)]
    )
    line = " ".join(f"{t.x},{t.y}" for t in placed if t.y is not None)
    targets = [p["target"] for p in points if p.get("target") is not None]
    return TrendChart(
        points=placed,
        band=band,
        line=line,
        ticks=axis.ticks,
        target_y=axis.x(targets[-1]) if targets else None,
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
    )

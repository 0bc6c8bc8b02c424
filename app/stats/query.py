"""The satisfaction query: its parameters, checked by the caller (app.stats.params)."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import analytics

BY_KEYS = ("sector", "unit", "channel", "month", "question")


@dataclass(frozen=True)
class SatisfactionQuery:
    """The parameters of docs/contracts.md §4, validated by the caller."""

    date_from: date
    date_to: date
    by: tuple[str, ...] = ()
    indicator: str = "overall"
    weighting: analytics.Weighting | None = None
    interval: analytics.Interval = "logit"
    level: float = 0.95
    # Restrictions to one domain (the plan's indicators: a channel, a group of sectors),
    # and the target indicator their rows are read against.
    sectors: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    target_indicator: str | None = None
    small_sample: int = analytics.SMALL_SAMPLE
    # One stream of responses only: those the daily random sample invited ("sampled"), or
    # all the others, volunteered at counters and links ("counter"). None: both.
    stream: Literal["sampled", "counter"] | None = None

    @property
    def groups_by_channel(self) -> bool:
        return "channel" in self.by or self.channels is not None

    def in_scope(self, sector: str, channel: str | None) -> bool:
        return (self.sectors is None or sector in self.sectors) and (
            self.channels is None or channel in self.channels
        )

    def echo(self, weighting: str) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "by": list(self.by),
            "indicator": self.indicator,
            "weighting": weighting,
            "ci": self.interval,
            "level": self.level,
        } | ({"stream": self.stream} if self.stream else {})

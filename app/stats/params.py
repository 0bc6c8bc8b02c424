"""Parsing and checking the satisfaction query's parameters (REST and CLI alike)."""

from datetime import date

import analytics
from app.errors import FieldError, Invalid
from app.months import OUTSIDE_YEARS, within_years
from app.stats.indicators import known_indicators
from app.stats.query import BY_KEYS, SatisfactionQuery
from app.surveys.forms import FormCatalog


def parse_query(
    catalog: FormCatalog,
    *,
    date_from: str,
    date_to: str,
    by: str = "",
    indicator: str = "overall",
    weighting: str | None = None,
    interval: str = "logit",
    level: float = 0.95,
    small_sample: int = analytics.SMALL_SAMPLE,
) -> SatisfactionQuery:
    """A checked query; every bad parameter is named in one Invalid error."""
    errors: list[FieldError] = []
    start = _date(date_from, "from", errors)
    end = _date(date_to, "to", errors)
    if start and end and start > end:
        errors.append(FieldError("to", "the period ends before it starts"))
    keys = tuple(key.strip() for key in by.split(",") if key.strip())
    for key in keys:
        if key not in BY_KEYS:
            errors.append(FieldError("by", f"'{key}' is not one of {', '.join(BY_KEYS)}"))
    if len(set(keys)) != len(keys):
        errors.append(FieldError("by", "a key appears twice"))
    if indicator not in known_indicators(catalog):
        errors.append(FieldError("indicator", f"unknown indicator '{indicator}'"))
    if weighting is not None and weighting not in analytics.WEIGHTINGS:
        errors.append(
            FieldError(
                "weighting", f"'{weighting}' is not one of {', '.join(analytics.WEIGHTINGS)}"
            )
        )
    if interval not in analytics.INTERVALS:
        errors.append(
            FieldError("ci", f"'{interval}' is not one of {', '.join(analytics.INTERVALS)}")
        )
    if not 0 < level < 1:
        errors.append(FieldError("level", "must lie strictly between 0 and 1"))
    if errors or start is None or end is None:
        raise Invalid("invalid satisfaction query", errors)
    return SatisfactionQuery(
        date_from=start,
        date_to=end,
        by=keys,
        indicator=indicator,
        weighting=weighting,  # type: ignore[arg-type]
        interval=interval,  # type: ignore[arg-type]
        level=level,
        small_sample=small_sample,
    )


def _date(value: str, name: str, errors: list[FieldError]) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError(name, f"'{value}' is not a date YYYY-MM-DD"))
        return None
    if not within_years(day):
        errors.append(FieldError(name, f"{OUTSIDE_YEARS}, not {day.year}"))
        return None
    return day

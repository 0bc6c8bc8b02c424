"""Survey statistics on cell counts: weights, rates, variances, intervals, target tests.

A pure library (stdlib, numpy, scipy): nothing here knows about the web or the database.
The definitions are docs/method.md, which are those of R's ``survey`` package.
"""

from analytics.design import (
    RAKE_GAP_WARNING,
    RAKE_MAX_SWEEPS,
    RAKE_TOLERANCE,
    WEIGHTINGS,
    Raking,
    Sample,
    Weighting,
    Weights,
    poststratified,
    raked,
    unweighted,
)
from analytics.estimates import INTERVALS, SMALL_SAMPLE, Estimate, Interval, estimate
from analytics.moments import Moments, estimate_index
from analytics.trend import Trend, linear_trend

__all__ = [
    "INTERVALS",
    "RAKE_GAP_WARNING",
    "RAKE_MAX_SWEEPS",
    "RAKE_TOLERANCE",
    "SMALL_SAMPLE",
    "WEIGHTINGS",
    "Estimate",
    "Interval",
    "Moments",
    "Raking",
    "Sample",
    "Trend",
    "Weighting",
    "Weights",
    "estimate",
    "estimate_index",
    "linear_trend",
    "poststratified",
    "raked",
    "unweighted",
]

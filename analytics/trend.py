"""A linear trend over monthly estimates, and its test."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analytics.distributions import normal_two_sided_p


@dataclass(frozen=True)
class Trend:
    """Slope of the rate per month (fraction points), its standard error and test.

    ``direction`` is ``up`` or ``down`` when the slope differs from 0 at ``alpha``,
    else ``flat``; ``None`` fields mean fewer than two months carry an estimate.
    """

    months: int
    slope: float | None
    se: float | None
    p_value: float | None
    direction: str | None


def linear_trend(
    month_index: NDArray[np.float64],
    rate: NDArray[np.float64],
    se: NDArray[np.float64],
    alpha: float = 0.05,
) -> Trend:
    """Weighted least-squares slope of monthly rates, weights 1/se².

    Months are separate strata of the design, so their estimates are independent and the
    slope's variance is exactly 1 / Σ w (x − x̄_w)². The test is two-sided, normal.

    Examples
    --------
    >>> t = linear_trend(np.array([0.0, 1.0, 2.0]), np.array([0.80, 0.85, 0.90]),
    ...                  np.array([0.01, 0.01, 0.01]))
    >>> round(t.slope, 6), round(t.se, 6), t.direction
    (0.05, 0.007071, 'up')
    """
    usable = np.isfinite(rate) & np.isfinite(se) & (se > 0)
    x, y, weight = month_index[usable], rate[usable], 1.0 / se[usable] ** 2
    if x.shape[0] < 2 or np.ptp(x) == 0:
        return Trend(int(x.shape[0]), None, None, None, None)
    centre = np.sum(weight * x) / np.sum(weight)
    spread = float(np.sum(weight * (x - centre) ** 2))
    slope = float(np.sum(weight * (x - centre) * y) / spread)
    slope_se = float(np.sqrt(1.0 / spread))
    p_value = normal_two_sided_p(slope / slope_se)
    direction = "flat" if p_value >= alpha else ("up" if slope > 0 else "down")
    return Trend(int(x.shape[0]), slope, slope_se, p_value, direction)

"""Satisfaction rates (and linear combinations of them) by domain, as R's survey package
computes them: Taylor linearisation with cells as strata, Student intervals, target tests.

The definitions are docs/method.md. In R terms: ``svydesign(ids=~1, strata=~cell,
weights=~w)`` with ``options(survey.lonely.psu="certainty")``; for one indicator,
``subset()`` to the responses that answered it, then ``svyby(~y, ~domain, …, svyciprop)``;
for an index (a weighted mean of rates), ``svyratio`` with ``covmat=TRUE`` and
``svycontrast``.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology*, 24.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit

from analytics.design import Sample, Weights
from analytics.distributions import beta_quantile, t_cdf, t_quantile

Interval = Literal["logit", "beta", "wald"]
INTERVALS: tuple[Interval, ...] = ("logit", "beta", "wald")
SMALL_SAMPLE = 30
# R's raking variance projects the influence functions on the margins this many times.
RAKING_PROJECTIONS = 10


@dataclass(frozen=True)
class Estimate:
    """One domain's estimate. Rates are fractions in [0, 1]; ``None`` where undefined."""

    n: int
    not_answered: int
    rate: float | None
    se: float | None
    df: int
    ci_low: float | None
    ci_high: float | None
    deff: float | None
    n_eff: float | None
    kish_n_eff: float | None
    target: float | None
    status: str | None
    p_value: float | None
    small_sample: bool
    lonely_cells: int


@dataclass(frozen=True)
class _DomainSums:
    """Per domain: weighted totals per indicator, and answered/any counts."""

    weighted_answered: NDArray[np.float64]  # (D, Q)
    weighted_satisfied: NDArray[np.float64]  # (D, Q)


def _domain_sums(sample: Sample, weight: NDArray[np.float64]) -> _DomainSums:
    d, q = sample.n_domains, sample.indicators
    group_weight = weight[sample.cell] * sample.count
    answered = np.zeros((d, q))
    satisfied = np.zeros((d, q))
    np.add.at(answered, sample.domain, sample.answered * group_weight[:, None])
    np.add.at(satisfied, sample.domain, sample.satisfied * group_weight[:, None])
    return _DomainSums(answered, satisfied)


def _influence(
    sample: Sample,
    weight: NDArray[np.float64],
    rates: NDArray[np.float64],
    totals: NDArray[np.float64],
    coefficients: NDArray[np.float64],
) -> NDArray[np.float64]:
    """z of each group's responses: Σ_q c_q w (y_q − p_q) a_q / W_q for its domain."""
    per_indicator = np.divide(
        sample.satisfied - rates[sample.domain] * sample.answered,
        totals[sample.domain],
        out=np.zeros(sample.answered.shape),
        where=totals[sample.domain] > 0,
    )
    z: NDArray[np.float64] = weight[sample.cell] * (per_indicator @ coefficients)
    return z


def _cell_sum(
    cell: NDArray[np.intp], values: NDArray[np.float64], cells: int
) -> NDArray[np.float64]:
    return np.bincount(cell, values, cells).astype(np.float64)


def _rake_projected(
    sum_z: NDArray[np.float64],
    sum_z2: NDArray[np.float64],
    cell_size: NDArray[np.int64],
    weights: Weights,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per cell, Σz and Σz² after R's raking projections (``svyrecvar``, class "raking").

    R replaces every response's z by z − w·mean(z/w over the response's margin category),
    for each margin in turn, ten times. The shift is the same for every response of a
    cell, so it is carried per cell.
    """
    assert weights.raking is not None
    w = weights.cell_weight
    shift = np.zeros(cell_size.shape[0])
    for _ in range(RAKING_PROJECTIONS):
        for margin in weights.raking.margins:
            # Σ_i x_i / w_i over each category, with x = z − shift.
            cell_total = (sum_z - cell_size * shift) / w
            category_sum = np.bincount(margin, cell_total)
            category_size = np.bincount(margin, cell_size)
            mean = np.divide(
                category_sum,
                category_size,
                out=np.zeros_like(category_sum),
                where=category_size > 0,
            )
            shift = shift + w * mean[margin]
    total = sum_z - cell_size * shift
    squares = sum_z2 - 2 * shift * sum_z + cell_size * shift**2
    return total, squares


def _variance(
    cell_total: NDArray[np.float64],
    cell_squares: NDArray[np.float64],
    cell_size: NDArray[np.int64],
) -> float:
    """Σ_h n_h/(n_h − 1) Σ_i (z_i − z̄_h)²; cells with one response add nothing."""
    several = cell_size > 1
    n = cell_size[several].astype(np.float64)
    centred = cell_squares[several] - cell_total[several] ** 2 / n
    return float(np.sum(n / (n - 1) * np.maximum(centred, 0.0)))


def _interval(
    method: Interval, p: float, variance: float, df: int, rows: int, level: float, m: int
) -> tuple[float, float]:
    alpha = 1 - level
    if variance <= 0 or p in (0.0, 1.0):
        hits = round(p * m)
        low = 0.0 if hits == 0 else beta_quantile(alpha / 2, hits, m - hits + 1)
        high = 1.0 if hits == m else beta_quantile(1 - alpha / 2, hits + 1, m - hits)
        return low, high
    se = float(np.sqrt(variance))
    t = t_quantile(1 - alpha / 2, df)
    if method == "wald":
        return p - t * se, p + t * se
    if method == "logit":
        half = t * se / (p * (1 - p))
        centre = float(logit(p))
        return float(expit(centre - half)), float(expit(centre + half))
    n_star = p * (1 - p) / variance
    n_star *= (t_quantile(alpha / 2, rows - 1) / t_quantile(alpha / 2, df)) ** 2
    low = beta_quantile(alpha / 2, n_star * p, n_star * (1 - p) + 1)
    high = beta_quantile(1 - alpha / 2, n_star * p + 1, n_star * (1 - p))
    return low, high


def estimate(
    sample: Sample,
    weights: Weights,
    coefficients: NDArray[np.float64],
    *,
    targets: NDArray[np.float64] | None = None,
    interval: Interval = "logit",
    level: float = 0.95,
    small_sample: int = SMALL_SAMPLE,
    index: bool = False,
) -> list[Estimate]:
    """Estimates of Σ_q c_q p_q for every domain of ``sample``.

    With one indicator and ``coefficients = [1]`` this is the satisfaction rate of
    docs/method.md; with several it is an element index or the ``sipas`` index
    (``index=True``: n counts the domain's responses, df = responses − cells).

    Parameters
    ----------
    sample, weights
        The design's groups and its cell weights.
    coefficients : array of shape (Q,)
        c_q; for a rate, ``[1.0]``.
    targets : array of shape (D,), optional
        The target of each domain (NaN for none).
    interval : "logit", "beta" or "wald"
    level : float
        Confidence level, in (0, 1).

    Returns
    -------
    list of Estimate, one per domain, in domain order.

    Examples
    --------
    >>> import numpy as np
    >>> from analytics.design import Sample, unweighted
    >>> sample = Sample(cell=np.array([0, 0]), domain=np.array([0, 0]),
    ...     count=np.array([9, 1]), answered=np.array([[True], [True]]),
    ...     satisfied=np.array([[True], [False]]), cell_size=np.array([10]), n_domains=1)
    >>> result = estimate(sample, unweighted(sample.cell_size), np.array([1.0]))[0]
    >>> round(result.rate, 6), round(result.se, 6), result.df
    (0.9, 0.1, 9)
    """
    if not 0 < level < 1:
        raise ValueError("level must lie in (0, 1)")
    weight = weights.cell_weight
    sums = _domain_sums(sample, weight)
    rates = np.divide(
        sums.weighted_satisfied,
        sums.weighted_answered,
        out=np.full(sums.weighted_answered.shape, np.nan),
        where=sums.weighted_answered > 0,
    )
    z = _influence(sample, weight, np.nan_to_num(rates), sums.weighted_answered, coefficients)
    involved = coefficients != 0
    cells = sample.cell_size.shape[0]
    results = []
    for domain in range(sample.n_domains):
        in_domain = sample.domain == domain
        counts = sample.count[in_domain]
        any_answer = sample.answered[in_domain][:, involved].any(axis=1)
        used = np.ones(counts.shape[0], dtype=bool) if index else any_answer
        group_cells = sample.cell[in_domain]
        group_weight = weight[group_cells]
        results.append(
            estimate_from_pieces(
                DomainPieces(
                    responses=int(counts.sum()),
                    answering=int(counts[any_answer].sum()),
                    cells_used=np.unique(group_cells[used]),
                    rates=rates[domain][involved],
                    sum_z=_cell_sum(group_cells, z[in_domain] * counts, cells),
                    sum_z2=_cell_sum(group_cells, z[in_domain] ** 2 * counts, cells),
                    weight_total=float(group_weight[used] @ counts[used]),
                    weight_squares=float((group_weight[used] ** 2) @ counts[used]),
                ),
                sample.cell_size, weights, coefficients[involved],
                None if targets is None else float(targets[domain]),
                interval, level, small_sample, index,
            )
        )  # fmt: skip
    return results


@dataclass(frozen=True)
class DomainPieces:
    """What an estimate of one domain needs, however its responses were summarised.

    ``sum_z`` and ``sum_z2`` are, per cell, Σz and Σz² over the domain's responses (z as in
    docs/method.md, before any raking projection); the weight sums are over the responses
    the estimate uses (for an index, all of the domain's).
    """

    responses: int
    answering: int
    cells_used: NDArray[np.intp]
    rates: NDArray[np.float64]  # p_q of the indicators involved
    sum_z: NDArray[np.float64]
    sum_z2: NDArray[np.float64]
    weight_total: float
    weight_squares: float


def estimate_from_pieces(
    pieces: DomainPieces,
    cell_size: NDArray[np.int64],
    weights: Weights,
    coefficients: NDArray[np.float64],
    target: float | None,
    interval: Interval,
    level: float,
    small_sample: int,
    index: bool,
) -> Estimate:
    """One domain's estimate from its pieces: the same for answer groups and moments."""
    n = pieces.responses if index else pieces.answering
    df = int(n - pieces.cells_used.shape[0])
    if target is not None and np.isnan(target):
        target = None
    lonely = int(np.sum(cell_size[pieces.cells_used] == 1))
    not_answered = pieces.responses - pieces.answering
    if n == 0 or np.any(np.isnan(pieces.rates)):
        return Estimate(
            n=n, not_answered=not_answered, rate=None, se=None, df=max(df, 0), ci_low=None,
            ci_high=None, deff=None, n_eff=None, kish_n_eff=None, target=target, status=None,
            p_value=None, small_sample=True, lonely_cells=lonely,
        )  # fmt: skip
    p = float(np.dot(coefficients, pieces.rates))
    cell_total, cell_squares = pieces.sum_z, pieces.sum_z2
    if weights.raking is not None:
        cell_total, cell_squares = _rake_projected(cell_total, cell_squares, cell_size, weights)
    variance = _variance(cell_total, cell_squares, cell_size)
    se = float(np.sqrt(variance))
    rows = int(cell_size.sum()) if weights.raking is not None else n
    ci_low, ci_high = _interval(interval, p, variance, df, rows, level, n)
    binomial = p * (1 - p)
    status = None
    p_value = None
    if target is not None:
        status = "met" if ci_low >= target else "not_met" if ci_high < target else "inconclusive"
        # With no sampling error, the rate either meets the target or it does not.
        p_value = t_cdf((p - target) / se, df) if se > 0 else float(p >= target)
    return Estimate(
        n=n,
        not_answered=not_answered,
        rate=p,
        se=se,
        df=df,
        ci_low=ci_low,
        ci_high=ci_high,
        deff=variance / (binomial / (n - 1)) if binomial > 0 and n > 1 else None,
        n_eff=binomial / variance if variance > 0 else None,
        kish_n_eff=pieces.weight_total**2 / pieces.weight_squares,
        target=target,
        status=status,
        p_value=p_value,
        small_sample=n < small_sample or variance <= 0,
        lonely_cells=lonely,
    )

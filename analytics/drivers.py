"""Which elements move overall satisfaction: a design-weighted logistic regression.

The model is R's ``svyglm(overall ~ elements, family = quasibinomial, design)``: the
coefficients maximise the weighted likelihood (statsmodels' GLM with frequency weights
count × w), and their variance is the sandwich A⁻¹ B A⁻¹ whose middle term B is the
stratified (cells as strata) variance of the weighted score contributions, as in
``analytics.estimates``.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analytics.design import Weights
from analytics.distributions import t_quantile, t_two_sided_p


@dataclass(frozen=True)
class Driver:
    """One predictor: log-odds coefficient, odds ratio, interval and test."""

    name: str
    coefficient: float
    se: float
    odds_ratio: float
    odds_low: float
    odds_high: float
    p_value: float | None  # None when the coefficient has no spread to test it by


@dataclass(frozen=True)
class DriverModel:
    n: int
    df: int
    intercept: float
    drivers: tuple[Driver, ...]
    # The fit met perfect separation: some element predicts the outcome exactly, so its
    # coefficient runs off to infinity and no odds ratio of it means anything.
    separated: bool = False


def distinct_rows(rows: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """The distinct rows of ``rows`` and, for each row, the index of its distinct row:
    ``np.unique(rows, axis=0, return_inverse=True)``, by one short sort per column.

    Examples
    --------
    >>> patterns, which = distinct_rows(np.array([[1.0, 0.5], [0.0, 1.0], [1.0, 0.5]]))
    >>> patterns.tolist(), which.tolist()
    ([[0.0, 1.0], [1.0, 0.5]], [1, 0, 1])
    """
    # Each column ranked by its own distinct values and the ranks combined into one code
    # per row (ranked again only when the next column's would overflow it), then the codes
    # ranked: sorting a few numbers per row, not whole rows.
    code = np.zeros(rows.shape[0], dtype=np.int64)
    span = 1
    for column in rows.T:
        values, rank = np.unique(column, return_inverse=True)
        if span * values.shape[0] >= 2**62:
            _, code = np.unique(code, return_inverse=True)
            span = int(code.max()) + 1
        code = code * values.shape[0] + rank.ravel()
        span *= values.shape[0]
    _, first, code = np.unique(code, return_index=True, return_inverse=True)
    return rows[first], code.ravel().astype(np.intp)


def fit_drivers(
    names: tuple[str, ...],
    predictors: NDArray[np.float64],
    outcome: NDArray[np.float64],
    pattern: NDArray[np.intp],
    count: NDArray[np.int64],
    cell: NDArray[np.intp],
    cell_size: NDArray[np.int64],
    weights: Weights,
    level: float = 0.95,
) -> DriverModel | None:
    """Fit ``outcome ~ predictors`` over groups of identical responses.

    ``predictors`` (Q × P) and ``outcome`` (0 or 1) have one row per answer pattern; each
    group of ``count`` responses has one ``pattern`` and one ``cell`` (G each), in cells
    whose sizes and weights define the design. Returns None when the data cannot identify
    the model (no variation, too few cells).

    Examples
    --------
    >>> from analytics.design import unweighted
    >>> x = np.array([[1.0], [1.0], [0.0], [0.0]])
    >>> y = np.array([1.0, 0.0, 1.0, 0.0])
    >>> size = np.array([200])
    >>> model = fit_drivers(("staff",), x, y, np.arange(4), np.array([80, 20, 30, 70]),
    ...                     np.zeros(4, dtype=np.intp), size, unweighted(size))
    >>> round(model.drivers[0].odds_ratio, 4)
    9.3333
    """
    if outcome.shape[0] == 0 or np.ptp(outcome) == 0:
        return None
    # Imported here: statsmodels takes a second to load, and a server worker that starts
    # slowly under load is killed by uvicorn's start-up check before it serves anyone.
    import statsmodels.api as sm

    # The likelihood is a sum over responses, so the groups of one pattern are fitted as
    # one row weighing what they weigh together: as many rows as patterns, not groups.
    weight = np.bincount(pattern, weights.cell_weight[cell] * count, outcome.shape[0])
    design = sm.add_constant(predictors, has_constant="add")
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning, SingularMatrixWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", SingularMatrixWarning)
        model = sm.GLM(outcome, design, family=sm.families.Binomial(), freq_weights=weight)
        fitted = model.fit()
    separated = False
    for warning in caught:
        if issubclass(warning.category, SingularMatrixWarning):
            # An element every respondent rated alike (or two that always agree): the data
            # cannot tell the coefficients apart, so there is no model to report.
            return None
        if issubclass(warning.category, PerfectSeparationWarning):
            separated = True
        else:  # anything else is not ours to swallow
            warnings.warn(warning.message, warning.category, stacklevel=2)
    beta = np.asarray(fitted.params)
    mu = 1.0 / (1.0 + np.exp(-(design @ beta)))
    information = (design * (weight * mu * (1 - mu))[:, None]).T @ design
    try:
        bread = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return None
    # Score of one response of each group, times its weight.
    score = design[pattern] * (weights.cell_weight[cell] * (outcome - mu)[pattern])[:, None]
    covariance = bread @ _stratified_meat(score, count, cell, cell_size) @ bread
    n = int(count.sum())
    used_cells = np.unique(cell).shape[0]
    df = n - used_cells - (design.shape[1] - 1)
    if df < 1:
        return None
    t = t_quantile(1 - (1 - level) / 2, df)
    drivers = []
    for position, name in enumerate(names, start=1):
        coefficient = float(beta[position])
        se = float(np.sqrt(max(covariance[position, position], 0.0)))
        # se = 0 (a predictor every respondent answered alike, or a separated model): no
        # test is possible, which is not the same as a conclusive one.
        p_value = t_two_sided_p(coefficient / se, df) if se > 0 else None
        drivers.append(
            Driver(
                name=name,
                coefficient=coefficient,
                se=se,
                odds_ratio=float(np.exp(coefficient)),
                odds_low=float(np.exp(coefficient - t * se)),
                odds_high=float(np.exp(coefficient + t * se)),
                p_value=p_value,
            )
        )
    drivers.sort(key=lambda d: d.coefficient, reverse=True)
    return DriverModel(n, df, float(beta[0]), tuple(drivers), separated)


def _stratified_meat(
    score: NDArray[np.float64],
    count: NDArray[np.int64],
    cell: NDArray[np.intp],
    cell_size: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Σ_h n_h / (n_h − 1) · Σ_{i∈h} (s_i − s̄_h)(s_i − s̄_h)ᵀ over the responses' weighted
    scores s_i (``score`` per group of ``count`` responses), cells as strata; a cell of one
    response adds nothing.

    Expanded as Σ_h f_h Σ_i s_i s_iᵀ − Σ_h f_h / n_h · t_h t_hᵀ (t_h the cell's total,
    f_h = n_h / (n_h − 1)): two matrix products over the groups, whatever their number.
    """
    cells = cell_size.shape[0]
    several = cell_size > 1
    share = np.zeros(cells)
    share[several] = cell_size[several] / (cell_size[several] - 1)
    totals = np.column_stack([np.bincount(cell, column * count, cells) for column in score.T])
    spread = (score * (share[cell] * count)[:, None]).T @ score
    centre = np.zeros(cells)
    centre[several] = share[several] / cell_size[several]
    meat: NDArray[np.float64] = spread - (totals * centre[:, None]).T @ totals
    return meat

"""The design's sufficient statistics and its weights.

Responses are grouped by (cell, domain, answer pattern): every response of a group has the
same weight and the same answers to the indicators at hand, so the statistics of
``analytics.estimates`` need only the groups and their counts, never the responses.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Weighting = Literal["none", "poststratified", "raked"]
WEIGHTINGS: tuple[Weighting, ...] = ("none", "poststratified", "raked")

RAKE_TOLERANCE = 1e-10
RAKE_MAX_SWEEPS = 100
# Weights that miss a margin by more than this (relative) after the last sweep are still
# used, but the estimates say so: the margins cannot all be met (e.g. totals that differ).
RAKE_GAP_WARNING = 1e-6


@dataclass(frozen=True)
class Sample:
    """Responses of one design in groups of identical cell, domain and answers.

    Attributes
    ----------
    cell, domain, count : arrays of shape (G,)
        The group's cell (stratum) index, domain index and number of responses.
    answered, satisfied : bool arrays of shape (G, Q)
        Whether the group's responses answered indicator q (codes 1–5) and were
        satisfied (4 or 5). ``satisfied`` implies ``answered``.
    cell_size : int array of shape (H,)
        n_h: every in-scope response of cell h, whatever it answered or its domain.
    n_domains : int
        How many domains the indices of ``domain`` range over.
    """

    cell: NDArray[np.intp]
    domain: NDArray[np.intp]
    count: NDArray[np.int64]
    answered: NDArray[np.bool_]
    satisfied: NDArray[np.bool_]
    cell_size: NDArray[np.int64]
    n_domains: int

    def __post_init__(self) -> None:
        groups = self.count.shape[0]
        if self.cell.shape != (groups,) or self.domain.shape != (groups,):
            raise ValueError("cell, domain and count must have one entry per group")
        if self.answered.shape != self.satisfied.shape or self.answered.shape[0] != groups:
            raise ValueError("answered and satisfied must be (groups, indicators)")
        if np.any(self.satisfied & ~self.answered):
            raise ValueError("a satisfied answer must be an answered one")
        if groups and (self.cell.max() >= self.cell_size.shape[0]):
            raise ValueError("a group names a cell outside cell_size")
        if np.any(np.bincount(self.cell, self.count, self.cell_size.shape[0]) > self.cell_size):
            raise ValueError("groups hold more responses than their cell")

    @property
    def indicators(self) -> int:
        return int(self.answered.shape[1])


@dataclass(frozen=True)
class Raking:
    """The margins a raked design was calibrated to, kept for its variance.

    ``margins`` holds, for each margin (units, then sectors), the category of every cell.
    """

    margins: tuple[NDArray[np.intp], ...]


@dataclass(frozen=True)
class Weights:
    """One weight per cell (constant within a cell whatever the weighting).

    ``raking_gap`` is, for raked weights, the largest relative gap between a margin's
    weighted total and its population total after the last sweep.
    """

    cell_weight: NDArray[np.float64]
    raking: Raking | None = None
    sweeps: int = 0
    raking_gap: float | None = None


def unweighted(cell_size: NDArray[np.int64]) -> Weights:
    """w = 1 for every response."""
    return Weights(np.ones(cell_size.shape[0]))


def poststratified(cell_size: NDArray[np.int64], dossiers: NDArray[np.float64]) -> Weights:
    """w_h = N_h / n_h: each cell's weights sum to its dossiers.

    Examples
    --------
    >>> poststratified(np.array([2, 4]), np.array([10.0, 10.0])).cell_weight
    array([5. , 2.5])
    """
    if np.any(cell_size <= 0):
        raise ValueError("every cell needs at least one response")
    return Weights(dossiers / cell_size)


def raked(
    cell_size: NDArray[np.int64],
    margins: tuple[tuple[NDArray[np.intp], NDArray[np.float64]], ...],
) -> Weights:
    """Iterative proportional fitting from w = 1 to each margin's population totals.

    Each margin is ``(category of every cell, population total of every category)``:
    R's ``rake()`` with ``sample.margins`` the categories and ``population.margins`` the
    totals. Sweeps stop when every margin is met within ``RAKE_TOLERANCE`` (relative), after
    at most ``RAKE_MAX_SWEEPS``.

    Examples
    --------
    >>> units = (np.array([0, 0, 1]), np.array([6.0, 6.0]))
    >>> sectors = (np.array([0, 1, 1]), np.array([2.0, 10.0]))
    >>> w = raked(np.array([1, 1, 2]), (units, sectors))
    >>> [round(float(x), 6) for x in w.cell_weight]
    [2.0, 4.0, 3.0]
    """
    weight = np.ones(cell_size.shape[0])
    sweeps = 0
    gap = 0.0
    while sweeps < RAKE_MAX_SWEEPS:
        for category, total in margins:
            current = np.bincount(category, cell_size * weight, total.shape[0])
            factor = np.divide(total, current, out=np.ones_like(total), where=current > 0)
            weight = weight * factor[category]
        sweeps += 1
        gap = max((_margin_gap(cell_size, weight, margin) for margin in margins), default=0.0)
        if gap < RAKE_TOLERANCE:
            break
    return Weights(weight, Raking(tuple(category for category, _ in margins)), sweeps, gap)


def _margin_gap(
    cell_size: NDArray[np.int64],
    weight: NDArray[np.float64],
    margin: tuple[NDArray[np.intp], NDArray[np.float64]],
) -> float:
    category, total = margin
    current = np.bincount(category, cell_size * weight, total.shape[0])
    sampled = np.bincount(category, cell_size, total.shape[0]) > 0
    gap = np.abs(current[sampled] - total[sampled]) / total[sampled]
    return float(gap.max(initial=0.0))

"""An index's estimate from second moments: a fixed number of sums per group, whatever
its responses.

An index Σ_q c_q p_q over many criteria (the ``sipas`` index has 24 questions) has answer
patterns that are nearly one per response, so its groups of identical responses
(``analytics.design.Sample``) are nearly as many as its responses. Its linearised
variance needs less: within a group of constant weight w, with a_q and s_q a response's
answered and satisfied indicators,

    Σ_i z_i   = w Σ_q c_q (S_q − p_q A_q) / W_q
    Σ_i z_i²  = w² Σ_q Σ_r c_q c_r / (W_q W_r) · (SS_qr − p_r SA_qr − p_q SA_rq + p_q p_r AA_qr)

where A_q = Σ a_q, S_q = Σ s_q, SS_qr = Σ s_q s_r, SA_qr = Σ s_q a_r and AA_qr = Σ a_q a_r
over the group's responses, and W_q the domain's weighted A_q. So a group keeps its
responses, those that answered none of the criteria, A, S and the three Q × Q matrices,
and the estimates are those of ``analytics.estimate`` (docs/method.md), up to the order in
which floating-point sums are taken.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analytics.design import Sample, Weights
from analytics.estimates import (
    SMALL_SAMPLE,
    DomainPieces,
    Estimate,
    Interval,
    estimate_from_pieces,
)


@dataclass(frozen=True)
class Moments:
    """Per group g (responses of one cell and one domain): counts and second moments.

    Attributes
    ----------
    cell, domain, count : arrays of shape (G,)
        The group's cell, its domain and its number of responses.
    none_answered : array of shape (G,)
        Its responses that answered none of the Q indicators.
    answered, satisfied : arrays of shape (G, Q)
        A_q and S_q.
    ss, sa, aa : arrays of shape (G, Q, Q)
        Σ s_q s_r, Σ s_q a_r, Σ a_q a_r.
    cell_size : array of shape (H,)
        n_h, every in-scope response of each cell.
    """

    cell: NDArray[np.intp]
    domain: NDArray[np.intp]
    count: NDArray[np.int64]
    none_answered: NDArray[np.int64]
    answered: NDArray[np.float64]
    satisfied: NDArray[np.float64]
    ss: NDArray[np.float64]
    sa: NDArray[np.float64]
    aa: NDArray[np.float64]
    cell_size: NDArray[np.int64]
    n_domains: int

    @classmethod
    def of_sample(cls, sample: Sample) -> "Moments":
        """The moments of groups of identical responses (each group keeps its own)."""
        a = sample.answered.astype(np.float64)
        s = sample.satisfied.astype(np.float64)
        n = sample.count.astype(np.float64)
        return cls(
            cell=sample.cell,
            domain=sample.domain,
            count=sample.count,
            none_answered=np.where(sample.answered.any(axis=1), 0, sample.count),
            answered=a * n[:, None],
            satisfied=s * n[:, None],
            ss=np.einsum("gq,gr,g->gqr", s, s, n),
            sa=np.einsum("gq,gr,g->gqr", s, a, n),
            aa=np.einsum("gq,gr,g->gqr", a, a, n),
            cell_size=sample.cell_size,
            n_domains=sample.n_domains,
        )


def estimate_index(
    moments: Moments,
    weights: Weights,
    coefficients: NDArray[np.float64],
    *,
    targets: NDArray[np.float64] | None = None,
    interval: Interval = "logit",
    level: float = 0.95,
    small_sample: int = SMALL_SAMPLE,
) -> list[Estimate]:
    """``analytics.estimate(…, index=True)`` from moments: Σ_q c_q p_q for every domain.

    Examples
    --------
    >>> import numpy as np
    >>> from analytics.design import Sample, unweighted
    >>> from analytics.estimates import estimate
    >>> sample = Sample(cell=np.array([0, 0, 0]), domain=np.array([0, 0, 0]),
    ...     count=np.array([6, 3, 2]),
    ...     answered=np.array([[True, True], [True, False], [False, False]]),
    ...     satisfied=np.array([[True, False], [True, False], [False, False]]),
    ...     cell_size=np.array([11]), n_domains=1)
    >>> weights, c = unweighted(sample.cell_size), np.array([0.5, 0.5])
    >>> by_moments = estimate_index(Moments.of_sample(sample), weights, c)[0]
    >>> by_groups = estimate(sample, weights, c, index=True)[0]
    >>> abs(by_moments.se - by_groups.se) < 1e-15, by_moments.not_answered
    (True, 2)
    """
    if not 0 < level < 1:
        raise ValueError("level must lie in (0, 1)")
    weight = weights.cell_weight[moments.cell]
    d, q = moments.n_domains, moments.answered.shape[1]
    weighted_answered = np.zeros((d, q))
    weighted_satisfied = np.zeros((d, q))
    np.add.at(weighted_answered, moments.domain, moments.answered * weight[:, None])
    np.add.at(weighted_satisfied, moments.domain, moments.satisfied * weight[:, None])
    rates = np.divide(
        weighted_satisfied,
        weighted_answered,
        out=np.full(weighted_answered.shape, np.nan),
        where=weighted_answered > 0,
    )
    involved = coefficients != 0
    cells = moments.cell_size.shape[0]
    results = []
    for domain in range(d):
        in_domain = moments.domain == domain
        p = np.nan_to_num(rates[domain])
        scale = np.divide(
            coefficients,
            weighted_answered[domain],
            out=np.zeros(q),
            where=weighted_answered[domain] > 0,
        )
        w = weight[in_domain]
        # Σ z per group, then Σ z² from the moments, both per group then per cell.
        sum_z = w * ((moments.satisfied[in_domain] - p * moments.answered[in_domain]) @ scale)
        centred = (
            moments.ss[in_domain]
            - moments.sa[in_domain] * p[None, None, :]
            - np.swapaxes(moments.sa[in_domain], 1, 2) * p[None, :, None]
            + moments.aa[in_domain] * np.outer(p, p)[None, :, :]
        )
        sum_z2 = w**2 * np.einsum("gqr,q,r->g", centred, scale, scale)
        group_cells = moments.cell[in_domain]
        counts = moments.count[in_domain]
        results.append(
            estimate_from_pieces(
                DomainPieces(
                    responses=int(counts.sum()),
                    answering=int(counts.sum() - moments.none_answered[in_domain].sum()),
                    cells_used=np.unique(group_cells),
                    rates=rates[domain][involved],
                    sum_z=np.bincount(group_cells, sum_z, cells).astype(np.float64),
                    sum_z2=np.bincount(group_cells, sum_z2, cells).astype(np.float64),
                    weight_total=float(w @ counts),
                    weight_squares=float((w**2) @ counts),
                ),
                moments.cell_size, weights, coefficients[involved],
                None if targets is None else float(targets[domain]),
                interval, level, small_sample, True,
            )
        )  # fmt: skip
    return results

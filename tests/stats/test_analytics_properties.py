"""Properties of the estimates that hold for any data (Hypothesis generates it)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import analytics
import analytics.drivers

# A design: per cell, its size and dossiers; per group of identical responses, its cell,
# whether it answered and whether it was satisfied.
cells = st.integers(min_value=1, max_value=6)


@st.composite
def designs(draw: st.DrawFn) -> tuple[analytics.Sample, np.ndarray]:
    n_cells = draw(cells)
    groups = []  # (cell, count, answered, satisfied)
    for cell in range(n_cells):
        drawn = [
            (cell, draw(st.integers(min_value=0, max_value=40)), answered, satisfied)
            for answered, satisfied in ((True, True), (True, False), (False, False))
        ]
        if not any(count for _, count, _, _ in drawn):  # every cell has a response
            drawn[2] = (cell, 1, False, False)
        groups += [group for group in drawn if group[1]]
    sample = analytics.Sample(
        cell=np.array([g[0] for g in groups], dtype=np.intp),
        domain=np.zeros(len(groups), dtype=np.intp),
        count=np.array([g[1] for g in groups], dtype=np.int64),
        answered=np.array([[g[2]] for g in groups], dtype=bool),
        satisfied=np.array([[g[3]] for g in groups], dtype=bool),
        cell_size=np.bincount([g[0] for g in groups], [g[1] for g in groups], n_cells).astype(
            np.int64
        ),
        n_domains=1,
    )
    dossiers = np.array(
        [draw(st.integers(min_value=1, max_value=5000)) for _ in range(n_cells)], dtype=float
    )
    return sample, dossiers


def _estimate(sample: analytics.Sample, dossiers: np.ndarray, interval: str) -> analytics.Estimate:
    weights = analytics.poststratified(sample.cell_size, dossiers)
    (found,) = analytics.estimate(sample, weights, np.array([1.0]), interval=interval)  # type: ignore[arg-type]
    return found


@settings(max_examples=150, deadline=None)
@given(designs(), st.sampled_from(["logit", "beta", "wald"]))
def test_the_rate_is_a_share_and_its_interval_holds_it(
    design: tuple[analytics.Sample, np.ndarray], interval: str
) -> None:
    sample, dossiers = design
    found = _estimate(sample, dossiers, interval)
    if found.rate is None:
        assert not sample.answered.any()
        return
    assert 0.0 <= found.rate <= 1.0
    if found.ci_low is not None and found.ci_high is not None:
        assert found.ci_low <= found.rate + 1e-12
        assert found.rate - 1e-12 <= found.ci_high
        if interval != "wald":  # Wald's p ± t·se may leave [0, 1], in R's survey as here
            assert found.ci_low >= 0.0
            assert found.ci_high <= 1.0


@settings(max_examples=100, deadline=None)
@given(designs())
def test_post_stratified_weights_sum_to_the_dossiers(
    design: tuple[analytics.Sample, np.ndarray],
) -> None:
    sample, dossiers = design
    weights = analytics.poststratified(sample.cell_size, dossiers)
    assert np.allclose(weights.cell_weight * sample.cell_size, dossiers, rtol=1e-12)
    assert np.isclose((weights.cell_weight * sample.cell_size).sum(), dossiers.sum())


@settings(max_examples=100, deadline=None)
@given(designs(), st.randoms(use_true_random=False))
def test_reordering_the_responses_changes_nothing(
    design: tuple[analytics.Sample, np.ndarray], shuffle: object
) -> None:
    sample, dossiers = design
    order = np.arange(sample.count.shape[0])
    shuffle.shuffle(order)  # type: ignore[attr-defined]
    shuffled = analytics.Sample(
        cell=sample.cell[order], domain=sample.domain[order], count=sample.count[order],
        answered=sample.answered[order], satisfied=sample.satisfied[order],
        cell_size=sample.cell_size, n_domains=1,
    )  # fmt: skip
    first, second = _estimate(sample, dossiers, "logit"), _estimate(shuffled, dossiers, "logit")
    for name in ("rate", "se", "ci_low", "ci_high", "deff"):
        a, b = getattr(first, name), getattr(second, name)
        assert (a is None and b is None) or np.isclose(a, b, rtol=1e-12, atol=1e-15), name


def test_an_index_counts_as_not_answered_the_responses_that_answered_none_of_its_criteria() -> None:
    """Two criteria: 6 answer both, 3 only the first, 2 neither (all of them stay in n)."""
    sample = analytics.Sample(
        cell=np.array([0, 0, 0, 0]),
        domain=np.array([0, 0, 0, 0]),
        count=np.array([4, 2, 3, 2]),
        answered=np.array([[True, True], [True, True], [True, False], [False, False]]),
        satisfied=np.array([[True, True], [False, True], [True, False], [False, False]]),
        cell_size=np.array([11]),
        n_domains=1,
    )
    (index,) = analytics.estimate(
        sample, analytics.unweighted(sample.cell_size), np.array([0.5, 0.5]), index=True
    )
    assert (index.n, index.not_answered) == (11, 2)
    (rate,) = analytics.estimate(
        sample, analytics.unweighted(sample.cell_size), np.array([0.0, 1.0])
    )
    assert (rate.n, rate.not_answered) == (6, 5)


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(
        st.tuples(
            st.integers(0, 3),  # cell
            st.integers(0, 1),  # domain
            st.integers(1, 9),  # responses
            st.lists(st.sampled_from("SU."), min_size=4, max_size=4),  # answers
        ),
        min_size=1,
        max_size=25,
    ),
    weighting=st.sampled_from(["none", "poststratified", "raked"]),
)
def test_an_index_from_moments_is_the_index_from_answer_groups(
    groups: list[tuple[int, int, int, list[str]]], weighting: str
) -> None:
    """The sums the tallies keep give every figure the answer groups give (1e-12)."""
    cell = np.array([g[0] for g in groups], dtype=np.intp)
    count = np.array([g[2] for g in groups], dtype=np.int64)
    states = np.array([g[3] for g in groups])
    cell_size = np.bincount(cell, count, 4).astype(np.int64) + 1  # a response out of scope too
    sample = analytics.Sample(
        cell=cell, domain=np.array([g[1] for g in groups], dtype=np.intp), count=count,
        answered=states != ".", satisfied=states == "S", cell_size=cell_size, n_domains=2,
    )  # fmt: skip
    dossiers = np.array([400.0, 300.0, 250.0, 900.0])
    if weighting == "none":
        weights = analytics.unweighted(cell_size)
    elif weighting == "poststratified":
        weights = analytics.poststratified(cell_size, dossiers)
    else:
        units = (np.array([0, 0, 1, 1]), np.array([700.0, 1150.0]))
        sectors = (np.array([0, 1, 0, 1]), np.array([650.0, 1200.0]))
        weights = analytics.raked(cell_size, (units, sectors))
    c = np.array([0.25, 0.25, 0.3, 0.2])
    targets = np.array([0.9, 0.95])
    expected = analytics.estimate(sample, weights, c, targets=targets, index=True)
    # A domain whose true variance is 0 while its rate lies strictly between 0 and 1 (every
    # cell's responses alike): both ways give only rounding noise (about 1e-17 from the
    # groups, 1e-9 as an se from the moments' expanded squares), not comparable figures.
    assume(all(e.se is None or e.se > 1e-6 or e.rate in (0.0, 1.0) for e in expected))
    found = analytics.estimate_index(analytics.Moments.of_sample(sample), weights, c,
                                     targets=targets)  # fmt: skip
    for mine, theirs in zip(found, expected, strict=True):
        for field in ("rate", "se", "ci_low", "ci_high", "deff", "n_eff", "kish_n_eff",
                      "p_value"):  # fmt: skip
            a, b = getattr(mine, field), getattr(theirs, field)
            assert (a is None) == (b is None), field
            if a is not None:
                # Both NaN where the interval is undefined (df = 0): that agrees too.
                assert a == pytest.approx(b, rel=1e-9, abs=1e-12, nan_ok=True), field
        assert (
            mine.n,
            mine.not_answered,
            mine.df,
            mine.lonely_cells,
            mine.status,
            mine.small_sample,
        ) == (
            theirs.n,
            theirs.not_answered,
            theirs.df,
            theirs.lonely_cells,
            theirs.status,
            theirs.small_sample,
        )


def test_drivers_that_the_data_cannot_tell_apart_give_no_model() -> None:
    """Two elements every respondent rated alike: their coefficients are not identified."""
    x = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    size = np.array([200])
    model = analytics.drivers.fit_drivers(
        ("staff", "result"), x, y, np.arange(4), np.array([80, 20, 30, 70]),
        np.zeros(4, dtype=np.intp),
        size, analytics.unweighted(size),
    )  # fmt: skip
    assert model is None


@given(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=1, max_value=24),
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_distinct_rows_are_numpys_unique_rows(
    rows: int, columns: int, levels: int, seed: int
) -> None:
    """Whatever the number of distinct values per column, up to codes that would overflow
    64 bits (24 columns of 300 values) and have to be ranked on the way."""
    table = np.random.default_rng(seed).integers(0, levels, (rows, columns)) / levels
    mine, which = analytics.drivers.distinct_rows(table)
    numpys, inverse = np.unique(table, axis=0, return_inverse=True)
    assert np.array_equal(mine, numpys)
    assert np.array_equal(which, inverse.ravel())

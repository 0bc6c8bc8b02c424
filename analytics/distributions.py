"""The few distribution functions the estimates need, from ``scipy.special``.

They are the functions ``scipy.stats`` itself calls for these distributions (its ``t``,
``beta`` and ``norm`` objects are wrappers around them), so the figures are the same to
the last bit; importing ``scipy.stats`` would cost a command half a second before it
computes anything.
"""

from scipy import special


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (NaN for df ≤ 0)."""
    return float(special.stdtrit(df, q))


def t_cdf(x: float, df: float) -> float:
    return float(special.stdtr(df, x))


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` degrees of freedom."""
    return 2 * float(special.stdtr(df, -abs(t)))


def normal_two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for the standard normal."""
    return 2 * float(special.ndtr(-abs(z)))


def beta_quantile(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of Beta(a, b)."""
    return float(special.betaincinv(a, b, q))

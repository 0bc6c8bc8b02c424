"""Survey statistics on cell counts: weights, rates, variances, intervals, target tests.

A pure library (stdlib, numpy, scipy, statsmodels): nothing here knows about the web or
the database.
"""

__all__: list[str] = []

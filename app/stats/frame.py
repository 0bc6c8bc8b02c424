"""The design of one query: its grouped rows placed in cells and domains, with the
period's volumes, the weights and each domain's coverage."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

import analytics
from app.stats.query import SatisfactionQuery

_CELL_KEYS = ("unit", "sector", "month")


@dataclass
class Frame:
    """The grouped rows of one query, placed in the design: cells, domains, weights."""

    cell: NDArray[np.intp]  # per row; -1 where the row's cell is left out (no volumes)
    domain: NDArray[np.intp]  # per row
    domain_keys: tuple[str, ...]
    domains: list[tuple[Any, ...]]  # (in scope, *key values) per domain index
    cell_size: NDArray[np.int64]
    weights: analytics.Weights
    unweighted: list[dict[str, Any]]
    coverage: dict[int, float]


def build_frame(
    keys: list[tuple[int, str, str, str | None]],
    totals: NDArray[np.int64],
    query: SatisfactionQuery,
    weighting: analytics.Weighting,
    volumes: dict[tuple[int, str, str], int],
    unit_codes: dict[int | None, str],
) -> Frame:
    domain_keys = tuple(key for key in query.by if key != "question")
    cells: dict[tuple[int, str, str], int] = {}
    domains: dict[tuple[Any, ...], int] = {}
    unweighted_sizes: dict[tuple[int, str, str], int] = defaultdict(int)
    # An index's rows repeat each cell key once per answer pattern: the keys are placed
    # once each, in order of first appearance (so cells and domains are numbered as if
    # every row were visited), and the rows take their key's place.
    first_seen: dict[tuple[int, str, str, str | None], int] = {}
    inverse = np.fromiter((first_seen.setdefault(key, len(first_seen)) for key in keys),
                          dtype=np.intp, count=len(keys))  # fmt: skip
    key_totals = np.bincount(inverse, totals, len(first_seen))
    key_cell = np.empty(len(first_seen), dtype=np.intp)
    key_domain = np.empty(len(first_seen), dtype=np.intp)
    covered: dict[int, set[tuple[int, str, str]]] = defaultdict(set)
    for position, (unit_id, sector, month, channel) in enumerate(first_seen):
        cell = (unit_id, sector, month)
        values = {"unit": unit_id, "sector": sector, "month": month, "channel": channel}
        # Responses outside the query's scope stay in the design (their cells keep their
        # n_h) but fall in a domain of their own, which is not reported.
        key = (query.in_scope(sector, channel), *(values[k] for k in domain_keys))
        key_domain[position] = domains.setdefault(key, len(domains))
        if weighting == "none":
            key_cell[position] = 0
        elif cell in volumes:
            key_cell[position] = cells.setdefault(cell, len(cells))
            covered[int(key_domain[position])].add(cell)
        else:
            key_cell[position] = -1
            unweighted_sizes[cell] += int(key_totals[position])
        if weighting == "none" and cell in volumes:
            covered[int(key_domain[position])].add(cell)
    row_cell, row_domain = key_cell[inverse], key_domain[inverse]
    kept = row_cell >= 0
    cell_count = 1 if weighting == "none" else len(cells)
    cell_size = np.bincount(row_cell[kept], totals[kept], cell_count).astype(np.int64)
    cell_list = list(cells)
    if weighting == "none":
        weights = analytics.unweighted(cell_size)
    elif weighting == "poststratified":
        dossiers = np.array([volumes[c] for c in cell_list], dtype=np.float64)
        weights = analytics.poststratified(cell_size, dossiers)
    else:
        weights = analytics.raked(cell_size, _raking_margins(cell_list, volumes))
    unweighted = [
        {"unit": unit_codes.get(unit_id), "sector": sector, "month": month, "responses": size}
        for (unit_id, sector, month), size in sorted(unweighted_sizes.items())
    ]
    coverage = _coverage(domain_keys, domains, covered, volumes, query)
    return Frame(
        row_cell, row_domain, domain_keys, list(domains), cell_size, weights, unweighted, coverage
    )


def _raking_margins(
    cells: list[tuple[int, str, str]], volumes: dict[tuple[int, str, str], int]
) -> tuple[tuple[Any, Any], ...]:
    """Unit and sector margins: each sampled cell's category and each category's dossiers."""
    margins = []
    for position in (0, 1):
        categories: dict[Any, int] = {}
        category = np.array([categories.setdefault(c[position], len(categories)) for c in cells])
        totals = np.zeros(len(categories))
        for cell, dossiers in volumes.items():
            if cell[position] in categories:
                totals[categories[cell[position]]] += dossiers
        margins.append((category.astype(np.intp), totals))
    return tuple(margins)


def _coverage(
    domain_keys: tuple[str, ...],
    domains: dict[tuple[Any, ...], int],
    covered: dict[int, set[tuple[int, str, str]]],
    volumes: dict[tuple[int, str, str], int],
    query: SatisfactionQuery,
) -> dict[int, float]:
    """Share of each domain's dossiers that lie in cells with responses in the domain (0
    where the domain has no dossiers on record: none of them is known to be covered)."""
    cell_keys = [k for k in domain_keys if k in _CELL_KEYS]
    positions = {"unit": 0, "sector": 1, "month": 2}
    total: dict[tuple[Any, ...], int] = defaultdict(int)
    for cell, dossiers in volumes.items():
        if query.sectors is None or cell[1] in query.sectors:
            total[tuple(cell[positions[k]] for k in cell_keys)] += dossiers
    coverage: dict[int, float] = {}
    for key, index in domains.items():
        values = dict(zip(domain_keys, key[1:], strict=True))
        denominator = total.get(tuple(values[k] for k in cell_keys), 0)
        numerator = sum(volumes[cell] for cell in covered[index])
        coverage[index] = numerator / denominator if denominator else 0.0
    return coverage

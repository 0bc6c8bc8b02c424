"""Monthly tallies: the analytics GROUP BY of a month, kept in the database.

Per cell (unit, sector, month), channel and scored question, a tally holds how many
in-scope responses were satisfied with the question and how many answered it and were
not; ``month_count`` holds the cell's responses; ``month_pattern`` holds, per element of
few criteria, the responses with each answer pattern over them (at most 3^5 per cell, the
counts an element index needs); ``month_moment`` holds, per index, the second moments its
variance needs (``analytics.moments``: a fixed number of sums per cell, where its answer
patterns are nearly one per response). A query over closed months then reads a few
thousand rows instead of every response, and gets the same counts, hence the same
estimates (tests/stats/test_tallies.py).

The tallies stay equal to the responses through the months' markers
(``app.tallied_months``):

* a writer storing in-scope responses of a tallied month forgets the month's tallies in
  its own transaction (``forget``, called by ``app.responses.records.insert_records``);
* a build holds the month's lock exclusively and a writer holds it shared (PostgreSQL
  advisory locks; SQLite has one writer at a time anyway, and a build claims the month),
  so a build never misses a response whose writer did not see the build's marker;
* a reader notes the months' generations before and after reading; a difference means a
  build or a forget interleaved, and the reader reads again (``generations``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, bindparam, text

from app.bulk import bulk_insert
from app.models import metadata

# Two counts travel in one integer column: the first below 2**32, the second times 2**32.
PACKED_HIGH = 2**32

Rows = list[tuple[str, list[dict[str, Any]]]]
"""Rows to insert, by table: a build's tallies, before the month is marked tallied."""

CellKey = tuple[int, str, str, str | None]
"""(unit id, sector, month, channel or None when channels are summed)."""


def count_rows(
    keys: Sequence[CellKey],
    responses: NDArray[np.int64],
    questions: Sequence[str],
    tallies: NDArray[np.int64],
) -> Rows:
    """A month's counts (cells by channel; ``tallies`` as ``question_counts`` makes them:
    satisfied, then unsatisfied, per question)."""
    counts = []
    answers = []
    for position, (unit_id, sector, key_month, channel) in enumerate(keys):
        cell = {"month": key_month, "unit_id": unit_id, "sector_code": sector,
                "channel": channel}  # fmt: skip
        counts.append({**cell, "responses": int(responses[position])})
        for column, question in enumerate(questions):
            satisfied, unsatisfied = tallies[position, 2 * column : 2 * column + 2]
            if satisfied or unsatisfied:
                answers.append({**cell, "question_id": question, "satisfied": int(satisfied),
                                "unsatisfied": int(unsatisfied)})  # fmt: skip
    return [("month_count", counts), ("month_tally", answers)]


def insert(connection: Connection, rows: Rows) -> None:
    for table, part in rows:
        bulk_insert(connection, metadata.tables[table], part)


def read(
    connection: Connection,
    months: Sequence[str],
    questions: Sequence[str],
    unit_ids: frozenset[int] | None,
    by_channel: bool,
) -> tuple[list[CellKey], NDArray[np.int64], NDArray[np.int64]]:
    """The tallied months' counts in the shape of ``question_counts``: cell keys, responses
    per key, and per question (columns 2q, 2q + 1) the satisfied and unsatisfied."""
    channel = ", channel" if by_channel else ""
    group = f"unit_id, sector_code, month{channel}"
    scope = unit_scope(unit_ids)
    months_in: Any = bindparam("months", expanding=True)
    counted = _rows(
        connection,
        text(
            f"SELECT {group}, SUM(responses) FROM month_count"  # noqa: S608
            f" WHERE month IN :months{scope} GROUP BY {group}"
        ).bindparams(months_in),
        {"months": list(months)},
    )
    responses = np.array([row[-1] for row in counted], dtype=np.int64)
    tallies = np.zeros((len(counted), 2 * len(questions)), dtype=np.int64)
    keys = [_key(row, by_channel) for row in counted]
    if not keys or not questions:
        return keys, responses, tallies
    # One column per question, both counts in it (satisfied in the low 32 bits), as the
    # responses' own GROUP BY: the database pivots, a few thousand rows come back.
    parameters: dict[str, Any] = {"months": list(months)}
    sums = []
    for column, question in enumerate(questions):
        parameters[f"q{column}"] = question
        sums.append(f"SUM(CASE WHEN question_id = :q{column} THEN satisfied"
                    f" + unsatisfied * {PACKED_HIGH} ELSE 0 END)")  # fmt: skip
    answered = _rows(
        connection,
        text(
            f"SELECT {group}, {', '.join(sums)} FROM month_tally"  # noqa: S608
            f" WHERE month IN :months{scope} GROUP BY {group}"
        ).bindparams(months_in),
        parameters,
    )
    position = {key: index for index, key in enumerate(keys)}
    rows = [position[_key(row, by_channel)] for row in answered]
    width = 4 if by_channel else 3
    packed = np.array([row[width:] for row in answered], dtype=np.int64)
    if rows:
        tallies[rows, 0::2] = packed % PACKED_HIGH
        tallies[rows, 1::2] = packed // PACKED_HIGH
    return keys, responses, tallies


def unit_scope(unit_ids: frozenset[int] | None) -> str:
    """`` AND unit_id IN (…)`` for a unit key's units (integers only), or nothing."""
    if unit_ids is None:
        return ""
    return f" AND unit_id IN ({', '.join(str(int(u)) for u in sorted(unit_ids)) or 'NULL'})"


def _key(row: Sequence[Any], by_channel: bool) -> CellKey:
    return (row[0], row[1], row[2], row[3] if by_channel else None)


def _rows(connection: Connection, statement: Any, parameters: dict[str, Any]) -> list[Any]:
    result = connection.execute(statement, parameters)
    # The driver's own cursor: plain tuples, thousands of them.
    return list(result.cursor.fetchall()) if result.cursor is not None else []


def pattern_rows(
    month: str,
    indicator: str,
    questions: Sequence[str],
    counts: Sequence[tuple[int, str, str, str | None, str, int]],
) -> Rows:
    """A month's answer patterns of one element (``pattern_counts`` rows by channel)."""
    return [
        ("month_pattern_plan",
         [{"month": month, "indicator": indicator, "questions": ",".join(questions)}]),
        ("month_pattern",
         [{"month": key_month, "unit_id": unit_id, "sector_code": sector, "channel": channel,
           "indicator": indicator, "pattern": pattern, "responses": responses}
          for unit_id, sector, key_month, channel, pattern, responses in counts]),
    ]  # fmt: skip


_PLANS = {"patterns": "month_pattern_plan", "moments": "month_moment_plan"}


def planned_months(
    connection: Connection,
    kept: str,
    months: Sequence[str],
    indicator: str,
    questions: Sequence[str],
) -> list[str]:
    """Those of ``months`` that keep ``indicator``'s ``kept`` ("patterns" or "moments")
    over exactly ``questions`` (an indicator whose questions changed is not read)."""
    if not months:
        return []
    rows = connection.execute(
        text(
            f"SELECT month FROM {_PLANS[kept]} WHERE month IN :months"  # noqa: S608
            " AND indicator = :indicator AND questions = :questions"
        ).bindparams(bindparam("months", expanding=True)),
        {"months": list(months), "indicator": indicator, "questions": ",".join(questions)},
    )
    return sorted(str(month) for (month,) in rows)


def read_patterns(
    connection: Connection,
    months: Sequence[str],
    indicator: str,
    unit_ids: frozenset[int] | None,
    by_channel: bool,
) -> list[tuple[int, str, str, str | None, str, int]]:
    """The months' pattern counts of ``indicator``, as ``pattern_counts`` returns them."""
    channel = ", channel" if by_channel else ""
    group = f"unit_id, sector_code, month{channel}, pattern"
    scope = unit_scope(unit_ids)
    rows = _rows(
        connection,
        text(
            f"SELECT {group}, SUM(responses) FROM month_pattern"  # noqa: S608
            f" WHERE month IN :months AND indicator = :indicator{scope} GROUP BY {group}"
        ).bindparams(bindparam("months", expanding=True)),
        {"months": list(months), "indicator": indicator},
    )
    if by_channel:
        return [(u, s, m, c, p, int(n)) for u, s, m, c, p, n in rows]
    return [(u, s, m, None, p, int(n)) for u, s, m, p, n in rows]


MOMENT_DTYPE = np.dtype("<i4")


@dataclass(frozen=True)
class KeyedMoments:
    """An index's moments per cell key (``CellKey``), ``analytics.Moments``' arrays."""

    keys: list[CellKey]
    responses: NDArray[np.int64]
    none_answered: NDArray[np.int64]
    answered: NDArray[np.float64]  # (K, Q)
    satisfied: NDArray[np.float64]
    ss: NDArray[np.float64]  # (K, Q, Q)
    sa: NDArray[np.float64]
    aa: NDArray[np.float64]

    def in_key_order(self) -> "KeyedMoments":
        """The same moments sorted by key: one order however they were read, so the
        estimates agree to the last bit."""
        order = sorted(
            range(len(self.keys)), key=lambda i: (*self.keys[i][:3], self.keys[i][3] or "")
        )
        return KeyedMoments(
            keys=[self.keys[i] for i in order], responses=self.responses[order],
            none_answered=self.none_answered[order], answered=self.answered[order],
            satisfied=self.satisfied[order], ss=self.ss[order], sa=self.sa[order],
            aa=self.aa[order],
        )  # fmt: skip

    @staticmethod
    def joined(first: "KeyedMoments", second: "KeyedMoments") -> "KeyedMoments":
        """Both sets of keys (of different months, so never the same key twice)."""
        return KeyedMoments(
            keys=first.keys + second.keys,
            responses=np.concatenate([first.responses, second.responses]),
            none_answered=np.concatenate([first.none_answered, second.none_answered]),
            answered=np.concatenate([first.answered, second.answered]),
            satisfied=np.concatenate([first.satisfied, second.satisfied]),
            ss=np.concatenate([first.ss, second.ss]),
            sa=np.concatenate([first.sa, second.sa]),
            aa=np.concatenate([first.aa, second.aa]),
        )


def moments_of_patterns(
    counts: Sequence[tuple[int, str, str, str | None, str, int]],
    questions: int,
    chunk: int = 200_000,
) -> KeyedMoments:
    """Per cell key, the moments of ``pattern_counts`` rows (S, U or '.' per question),
    ``chunk`` rows at a time: memory stays flat however many patterns a month has."""
    first: dict[CellKey, int] = {}
    key_of = np.fromiter(
        (first.setdefault((u, s, m, c), len(first)) for u, s, m, c, _, _ in counts),
        dtype=np.intp, count=len(counts),
    )  # fmt: skip
    k = len(first)
    out = KeyedMoments(
        keys=list(first), responses=np.zeros(k, dtype=np.int64),
        none_answered=np.zeros(k, dtype=np.int64),
        answered=np.zeros((k, questions)), satisfied=np.zeros((k, questions)),
        ss=np.zeros((k, questions, questions)), sa=np.zeros((k, questions, questions)),
        aa=np.zeros((k, questions, questions)),
    )  # fmt: skip
    for start in range(0, len(counts), chunk):
        rows = counts[start : start + chunk]
        keys = key_of[start : start + chunk]
        states = np.frombuffer(
            "".join(row[4] for row in rows).encode("ascii"), dtype=np.uint8
        ).reshape(len(rows), questions)
        answered = (states != ord(".")).astype(np.float64)
        satisfied = (states == ord("S")).astype(np.float64)
        n = np.array([row[5] for row in rows], dtype=np.float64)
        out.responses[:] += np.bincount(keys, n, k).astype(np.int64)
        none = n * (answered.sum(axis=1) == 0)
        out.none_answered[:] += np.bincount(keys, none, k).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        for segment in np.split(order, np.flatnonzero(np.diff(keys[order])) + 1):
            key = keys[segment[0]]
            a, s_, weight = answered[segment], satisfied[segment], n[segment][:, None]
            out.answered[key] += (a * weight).sum(axis=0)
            out.satisfied[key] += (s_ * weight).sum(axis=0)
            out.ss[key] += (s_ * weight).T @ s_
            out.sa[key] += (s_ * weight).T @ a
            out.aa[key] += (a * weight).T @ a
    return out


def moment_rows(
    month: str, indicator: str, questions: Sequence[str], moments: KeyedMoments
) -> Rows:
    """A month's moments of one index (keys by channel)."""
    plan = [{"month": month, "indicator": indicator, "questions": ",".join(questions)}]
    rows = []
    for position, (unit_id, sector, key_month, channel) in enumerate(moments.keys):
        sums = np.concatenate([
            moments.answered[position], moments.satisfied[position],
            moments.ss[position].ravel(), moments.sa[position].ravel(),
            moments.aa[position].ravel(),
        ]).astype(MOMENT_DTYPE)  # fmt: skip
        rows.append({
            "month": key_month, "unit_id": unit_id, "sector_code": sector, "channel": channel,
            "indicator": indicator, "responses": int(moments.responses[position]),
            "none_answered": int(moments.none_answered[position]), "sums": sums.tobytes(),
        })  # fmt: skip
    return [("month_moment_plan", plan), ("month_moment", rows)]


def read_moments(
    connection: Connection,
    months: Sequence[str],
    indicator: str,
    questions: int,
    unit_ids: frozenset[int] | None,
    by_channel: bool,
) -> KeyedMoments:
    """The months' moments of ``indicator`` per cell key (channels summed unless asked)."""
    rows = _rows(
        connection,
        text(
            "SELECT unit_id, sector_code, month, channel, responses,"  # noqa: S608
            " none_answered, sums FROM month_moment"
            f" WHERE month IN :months AND indicator = :indicator{unit_scope(unit_ids)}"
            " ORDER BY unit_id, sector_code, month, channel"
        ).bindparams(bindparam("months", expanding=True)),
        {"months": list(months), "indicator": indicator},
    )
    first: dict[CellKey, int] = {}
    key_of = np.fromiter(
        (first.setdefault((u, s, m, c if by_channel else None), len(first))
         for u, s, m, c, *_ in rows),
        dtype=np.intp, count=len(rows),
    )  # fmt: skip
    width = 2 * questions + 3 * questions * questions
    sums = np.frombuffer(b"".join(bytes(row[6]) for row in rows), dtype=MOMENT_DTYPE)
    sums = sums.reshape(len(rows), width).astype(np.float64)
    k = len(first)
    added = np.zeros((k, width))
    np.add.at(added, key_of, sums)
    square = questions * questions
    start = 2 * questions
    return KeyedMoments(
        keys=list(first),
        responses=np.bincount(key_of, [row[4] for row in rows], k).astype(np.int64),
        none_answered=np.bincount(key_of, [row[5] for row in rows], k).astype(np.int64),
        answered=added[:, :questions],
        satisfied=added[:, questions:start],
        ss=added[:, start : start + square].reshape(k, questions, questions),
        sa=added[:, start + square : start + 2 * square].reshape(k, questions, questions),
        aa=added[:, start + 2 * square :].reshape(k, questions, questions),
    )


@dataclass(frozen=True)
class DriverGroups:
    """The drivers model's data per cell key: every in-scope response of each key, and the
    usable responses (overall and every element answered) grouped by key, outcome and each
    element's satisfied and answered criteria."""

    keys: list[CellKey]
    responses: NDArray[np.int64]  # (K,)
    key: NDArray[np.intp]  # (G,)
    outcome: NDArray[np.uint8]  # (G,) 1 satisfied overall, 0 not
    satisfied: NDArray[np.uint8]  # (G, E)
    answered: NDArray[np.uint8]  # (G, E)
    count: NDArray[np.int64]  # (G,)

    def in_key_order(self) -> "DriverGroups":
        """Keys sorted, groups by key then content: one order however they were read."""
        keys = self.keys
        order = sorted(range(len(keys)), key=lambda i: (*keys[i][:3], keys[i][3] or ""))
        rank = np.empty(len(keys), dtype=np.intp)
        rank[order] = np.arange(len(keys))
        key = rank[self.key] if len(keys) else self.key
        rows = np.lexsort((*np.column_stack([self.satisfied, self.answered]).T[::-1],
                           self.outcome, key))  # fmt: skip
        return DriverGroups(
            keys=[keys[i] for i in order], responses=self.responses[order], key=key[rows],
            outcome=self.outcome[rows], satisfied=self.satisfied[rows],
            answered=self.answered[rows], count=self.count[rows],
        )  # fmt: skip

    @staticmethod
    def joined(first: "DriverGroups", second: "DriverGroups") -> "DriverGroups":
        """Both, the second's keys after the first's (of different months: never shared)."""
        return DriverGroups(
            keys=first.keys + second.keys,
            responses=np.concatenate([first.responses, second.responses]),
            key=np.concatenate([first.key, second.key + len(first.keys)]),
            outcome=np.concatenate([first.outcome, second.outcome]),
            satisfied=np.concatenate([first.satisfied, second.satisfied]),
            answered=np.concatenate([first.answered, second.answered]),
            count=np.concatenate([first.count, second.count]),
        )


def driver_groups_of_patterns(
    counts: Sequence[tuple[int, str, str, str | None, str, int]],
    spans: Sequence[tuple[int, int]],
) -> DriverGroups:
    """Patterns (overall first, then each element's criteria at ``spans``) as groups."""
    first: dict[CellKey, int] = {}
    key_of = np.fromiter(
        (first.setdefault((u, s, m, c), len(first)) for u, s, m, c, _, _ in counts),
        dtype=np.intp, count=len(counts),
    )  # fmt: skip
    width = spans[-1][1] if spans else 1
    states = np.frombuffer(
        "".join(row[4] for row in counts).encode("ascii"), dtype=np.uint8
    ).reshape(len(counts), width)
    n = np.array([row[5] for row in counts], dtype=np.int64)
    answered = np.column_stack([(states[:, a:b] != ord(".")).sum(axis=1) for a, b in spans])
    satisfied = np.column_stack([(states[:, a:b] == ord("S")).sum(axis=1) for a, b in spans])
    usable = (states[:, 0] != ord(".")) & (answered > 0).all(axis=1)
    outcome = (states[:, 0] == ord("S")).astype(np.uint8)
    rows = np.column_stack([key_of, outcome, satisfied, answered])[usable]
    grouped, inverse = np.unique(rows, axis=0, return_inverse=True)
    return DriverGroups(
        keys=list(first),
        responses=np.bincount(key_of, n, len(first)).astype(np.int64),
        key=grouped[:, 0].astype(np.intp),
        outcome=grouped[:, 1].astype(np.uint8),
        satisfied=grouped[:, 2 : 2 + len(spans)].astype(np.uint8),
        answered=grouped[:, 2 + len(spans) :].astype(np.uint8),
        count=np.bincount(inverse.ravel(), n[usable], grouped.shape[0]).astype(np.int64),
    )


def driver_rows(month: str, questions: Sequence[str], groups: DriverGroups) -> Rows:
    """A month's drivers groups (keys by channel)."""
    plan = [{"month": month, "indicator": "drivers", "questions": ",".join(questions)}]
    rows = []
    for position, (unit_id, sector, key_month, channel) in enumerate(groups.keys):
        mine = groups.key == position
        table = np.column_stack(
            [groups.outcome[mine], groups.satisfied[mine], groups.answered[mine]]
        ).astype(np.uint8)
        blob = table.tobytes() + groups.count[mine].astype(MOMENT_DTYPE).tobytes()
        rows.append({"month": key_month, "unit_id": unit_id, "sector_code": sector,
                     "channel": channel, "responses": int(groups.responses[position]),
                     "groups": blob})  # fmt: skip
    return [("month_moment_plan", plan), ("month_driver", rows)]


def read_drivers(
    connection: Connection,
    months: Sequence[str],
    elements: int,
    unit_ids: frozenset[int] | None,
    by_channel: bool,
) -> DriverGroups:
    """The months' drivers groups per cell key (channels summed unless asked)."""
    rows = _rows(
        connection,
        text(
            "SELECT unit_id, sector_code, month, channel, responses, groups"  # noqa: S608
            f" FROM month_driver WHERE month IN :months{unit_scope(unit_ids)}"
            " ORDER BY unit_id, sector_code, month, channel"
        ).bindparams(bindparam("months", expanding=True)),
        {"months": list(months)},
    )
    first: dict[CellKey, int] = {}
    width = 1 + 2 * elements
    keys, tables, counts = [], [], []
    responses: dict[int, int] = {}
    for u, s, m, c, total, blob in rows:
        key = first.setdefault((u, s, m, c if by_channel else None), len(first))
        responses[key] = responses.get(key, 0) + int(total)
        raw = bytes(blob)
        groups = len(raw) // (width + MOMENT_DTYPE.itemsize)
        tables.append(np.frombuffer(raw[: groups * width], dtype=np.uint8).reshape(groups, width))
        counts.append(np.frombuffer(raw[groups * width :], dtype=MOMENT_DTYPE).astype(np.int64))
        keys.append(np.full(groups, key, dtype=np.intp))
    table = np.concatenate(tables) if tables else np.zeros((0, width), dtype=np.uint8)
    return DriverGroups(
        keys=list(first),
        responses=np.array([responses[k] for k in range(len(first))], dtype=np.int64),
        key=np.concatenate(keys) if keys else np.zeros(0, dtype=np.intp),
        outcome=table[:, 0],
        satisfied=table[:, 1 : 1 + elements],
        answered=table[:, 1 + elements :],
        count=np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64),
    )

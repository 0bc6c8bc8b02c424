"""Which months' tallies may be read: the ``tallied_month`` markers and their protocol.

A month is read from its tallies (app.stats.tallies) only while its marker stands; a writer
storing in-scope responses of a month removes the marker and the month's tallies in its
own transaction (``forget``); a build claims a month, writes its rows, then marks it with a
new generation, which readers note before and after reading. The write path calls only
this module: it knows nothing of how the tallies are counted or read.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import Connection, bindparam, select, text

from app import clock
from app.bulk import bulk_insert
from app.models import metadata

# The first key of the months' advisory locks: "SI".
_LOCK_NAMESPACE = 0x5349

# Every table a tallied month keeps rows in, besides its marker (``tallied_month``).
TABLES = ("month_tally", "month_count", "month_pattern", "month_pattern_plan",
          "month_moment", "month_moment_plan", "month_driver")  # fmt: skip


def _lock(connection: Connection, months: Iterable[str], *, shared: bool) -> None:
    if connection.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    # Always in the same order, so that two writers of several months cannot deadlock.
    for month in sorted(set(months)):
        connection.execute(
            text(f"SELECT {function}(:namespace, :key)"),
            {"namespace": _LOCK_NAMESPACE, "key": int(month.replace("-", ""))},
        )


def clear_unmarked(connection: Connection, month: str, batch: int) -> int:
    """Delete up to ``batch`` rows of each table for ``month``, which is not marked tallied
    (the rows of a build that was abandoned or overtaken); how many went (SQLite only)."""
    removed = 0
    for table in TABLES:
        removed += connection.execute(
            text(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table}"  # noqa: S608
                 " WHERE month = :month LIMIT :batch)"),
            {"month": month, "batch": batch},
        ).rowcount  # fmt: skip
    return removed


def forget(connection: Connection, months: Iterable[str]) -> None:
    """Drop the tallies of ``months``: the caller is storing in-scope responses of them."""
    touched = sorted(set(months))
    if not touched:
        return
    _lock(connection, touched, shared=True)
    listed = {"months": touched}
    forgotten = connection.execute(
        text("DELETE FROM tallied_month WHERE month IN :months").bindparams(
            bindparam("months", expanding=True)
        ),
        listed,
    )
    if forgotten.rowcount:
        for table in TABLES:
            connection.execute(
                text(f"DELETE FROM {table} WHERE month IN :months").bindparams(  # noqa: S608
                    bindparam("months", expanding=True)
                ),
                listed,
            )


# A month being tallied in short transactions (SQLite) holds a claim in ``tallied_month``
# whose generation starts with this mark (a real generation is hexadecimal): its rows are
# not read, and a second builder steps aside.
BUILDING = "~"
ABANDONED_AFTER = timedelta(minutes=30)


def generations(connection: Connection, months: Sequence[str]) -> dict[str, str]:
    """The tallied ones of ``months``, with the generation of their tallies."""
    if not months:
        return {}
    rows = connection.execute(
        text(
            "SELECT month, generation FROM tallied_month WHERE month IN :months"
            " AND generation NOT LIKE :building"
        ).bindparams(bindparam("months", expanding=True)),
        {"months": list(months), "building": BUILDING + "%"},
    )
    return {str(month): str(generation) for month, generation in rows}


def claim(connection: Connection, month: str) -> str | None:
    """Claim ``month`` for a build (in the caller's write transaction): the claim's
    generation, or None when the month is tallied or another build is under way (a claim
    older than ``ABANDONED_AFTER`` was abandoned, and is taken over)."""
    marker = metadata.tables["tallied_month"]
    found = connection.execute(  # through the table: its time comes back as a datetime
        select(marker.c.generation, marker.c.tallied_at).where(marker.c.month == month)
    ).first()
    mine = BUILDING + uuid.uuid4().hex[:31]
    if found is None:
        bulk_insert(connection, metadata.tables["tallied_month"],
                    [{"month": month, "generation": mine, "tallied_at": clock.now(),
                      "responses": 0}])  # fmt: skip
        return mine
    generation, at = found
    if str(generation).startswith(BUILDING) and clock.now() - at > ABANDONED_AFTER:
        connection.execute(
            text("UPDATE tallied_month SET generation = :mine, tallied_at = :now"
                 " WHERE month = :month"),
            {"mine": mine, "now": clock.now(), "month": month},
        )  # fmt: skip
        return mine
    return None


def holds(connection: Connection, month: str, claimed: str) -> bool:
    """Whether the claim ``claimed`` on ``month`` still stands (a writer's ``forget``
    removes it)."""
    found = connection.execute(
        text("SELECT generation FROM tallied_month WHERE month = :month"), {"month": month}
    ).scalar()
    return found == claimed


def has_marker(connection: Connection, month: str) -> bool:
    """Whether ``month`` is tallied or claimed by a build."""
    return (
        connection.execute(
            text("SELECT 1 FROM tallied_month WHERE month = :month"), {"month": month}
        ).first()
        is not None
    )


def release(connection: Connection, month: str, claimed: str) -> None:
    connection.execute(
        text("DELETE FROM tallied_month WHERE month = :month AND generation = :claimed"),
        {"month": month, "claimed": claimed},
    )


def lock_for_build(connection: Connection, month: str) -> bool:
    """Take ``month``'s lock for a build; False when it is tallied already."""
    _lock(connection, [month], shared=False)
    return bool(generations(connection, [month]))


def mark(connection: Connection, month: str, responses: int) -> None:
    """Mark ``month`` tallied (replacing a build's claim): from now on its rows are read,
    under a new generation."""
    connection.execute(text("DELETE FROM tallied_month WHERE month = :month"), {"month": month})
    bulk_insert(
        connection,
        metadata.tables["tallied_month"],
        [{"month": month, "generation": uuid.uuid4().hex, "tallied_at": clock.now(),
          "responses": responses}],
    )  # fmt: skip

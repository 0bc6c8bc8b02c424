"""The monthly partitions of ``response`` on PostgreSQL (migration 0022).

A response can only be stored once a partition covers its day, so every writer makes
sure of its months' partitions in its own write transaction before it inserts
(``ensure_partitions``), and the schedule creates this month's and the next ahead of time
(``prepare_partitions``), so that a citizen's submission seldom waits on DDL. SQLite
keeps one table: there, these do nothing.
"""

import re
import weakref
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, event, text
from sqlmodel import Session

from app import clock
from app.db import writing
from app.months import Month

# One creator at a time: two writers of a new month's first responses would otherwise
# both try to create its partition. (Any fixed number, distinct from other locks.)
_CREATING = 0x5195_0022
_BOUNDS = """
SELECT pg_get_expr(c.relpartbound, c.oid)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'response'::regclass
"""
_RANGE = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")
# The months each database is known to have partitions for, once a transaction that saw
# them commits (a partition, once made, is kept: months are only ever added). Until then
# they wait in the connection's info: a partition this transaction created, or one that
# it saw created inside it, is gone if it rolls back.
_known: "weakref.WeakKeyDictionary[Engine, set[str]]" = weakref.WeakKeyDictionary()
_SEEN = "sipas_partitioned_months"


def create_partition(connection: Connection, month: str) -> None:
    """Create the partition of ``month`` (``YYYY-MM``; ``response_2026_05`` for
    ``2026-05``) unless it exists, in the connection's transaction."""
    found = Month.parse(month)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATING})
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS response_{found.year:04d}_{found.month:02d} "
        "PARTITION OF response "
        f"FOR VALUES FROM ('{found.first_day}') TO ('{found.next().first_day}')"
    )


def partitioned_months(connection: Connection) -> set[str]:
    """The months that partitions of ``response`` cover whole."""
    covered = set()
    for (bound,) in connection.execute(text(_BOUNDS)):
        found = _RANGE.search(bound or "")
        if found is None:
            continue  # a DEFAULT partition someone added: it covers no month of its own
        month, end = Month.parse(found.group(1)[:7]), Month.parse(found.group(2)[:7])
        while month < end:
            covered.add(str(month))
            month = month.next()
    return covered


def ensure_partitions(connection: Connection, months: Iterable[str]) -> None:
    """Make sure partitions cover ``months`` before rows of them are inserted, in the
    caller's write transaction. Free once a process has seen them: the catalogue is read
    only for a month it has not seen covered."""
    if connection.dialect.name != "postgresql":
        return
    engine = connection.engine
    known = _known.setdefault(engine, set())
    wanted = set(months)
    if wanted <= known:
        return
    if not event.contains(engine, "commit", _remember):
        event.listen(engine, "commit", _remember)
        event.listen(engine, "rollback", _forget)
        event.listen(engine, "rollback_savepoint", _forget)
    for month in sorted(wanted - partitioned_months(connection)):
        create_partition(connection, month)
    connection.info.setdefault(_SEEN, set()).update(wanted)


def _remember(connection: Connection) -> None:
    _known.setdefault(connection.engine, set()).update(connection.info.pop(_SEEN, ()))


def _forget(connection: Connection, *_: object) -> None:
    connection.info.pop(_SEEN, None)


def prepare_partitions(engine: Engine, zone: ZoneInfo) -> None:
    """This month's and the next month's partitions, created ahead of their responses."""
    if engine.dialect.name != "postgresql":
        return
    this_month = Month.of(clock.now().astimezone(zone).date())
    with Session(engine) as session, writing(session):
        ensure_partitions(session.connection(), [str(this_month), str(this_month.next())])

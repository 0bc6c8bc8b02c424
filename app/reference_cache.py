"""Counters, sectors, procedures and alert rules, read once per change of any of them.

Every submission and every survey page looks them up; they change a few times a month.
Triggers (migrations 0020 and 0021) give ``reference_version`` a new random token in
every transaction that changes them, whoever writes: a route, the CLI, another server
process, plain SQL. Each use reads that one row (a primary-key lookup) and keeps this
process's copy while the token is the one it was read at.
"""

import weakref
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, Engine, select
from sqlmodel import col

from app.models import AlertRule, Counter, Procedure, Sector


class CounterLink(NamedTuple):
    """What an active counter's slug fixes about its responses."""

    unit_id: int
    counter_id: int | None  # never None once stored; the model's id is optional
    sector_code: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    token: int
    counters: dict[str, CounterLink]  # by slug, the active ones
    sectors: frozenset[str]
    procedures: dict[str, str]  # code → its sector
    # The active ones; shared by threads, so read, never changed.
    alert_rules: tuple[AlertRule, ...]


# By database: a process may talk to several (the tests do).
_copies: "weakref.WeakKeyDictionary[Engine, Reference]" = weakref.WeakKeyDictionary()
# On every request: as plain SQL it costs a tenth of the lookups it saves.
_CURRENT = "SELECT token FROM reference_version"


def reference(connection: Connection) -> Reference:
    """The current counters, sectors, procedures and alert rules, as ``connection`` sees
    them."""
    token = connection.exec_driver_sql(_CURRENT).scalar_one()
    copy = _copies.get(connection.engine)
    if copy is None or copy.token != token:
        # Read after the token: a change committed in between gives a newer copy under
        # the older token, which the next use finds stale and reads again.
        copy = _copies[connection.engine] = _read(connection, token)
    return copy


def last_read(engine: Engine) -> Reference | None:
    """The copy last read from ``engine``'s database, unchecked: for work that checks its
    token later, in the transaction that relies on it (a submission's write)."""
    return _copies.get(engine)


def _read(connection: Connection, token: int) -> Reference:
    counters = connection.execute(
        select(
            col(Counter.slug), col(Counter.unit_id), col(Counter.id), col(Counter.sector_code)
        ).where(col(Counter.active).is_(True))
    )
    return Reference(
        token,
        {
            slug: CounterLink(unit_id, counter_id, sector)
            for slug, unit_id, counter_id, sector in counters
        },
        frozenset(connection.execute(select(col(Sector.code))).scalars()),
        dict(connection.execute(select(col(Procedure.code), col(Procedure.sector_code))).all()),
        tuple(
            AlertRule(**rule._mapping)
            for rule in connection.execute(
                select(AlertRule).where(col(AlertRule.active).is_(True)).order_by(col(AlertRule.id))
            )
        ),
    )

"""Fast multi-row inserts for the few paths that write millions of rows.

SQLAlchemy's executemany spends most of its time building per-row parameter dicts. Here
each column's bind processor is looked up once and rows go to the driver as tuples; on
PostgreSQL they go through COPY. Values are stored exactly as the ORM would store them.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Connection, Dialect, Table, TypeDecorator, insert
from sqlalchemy.exc import IntegrityError

# (SQL, column order, conversions by position): compiled once per table and column set, as
# a single response's insert would otherwise spend most of its time compiling.
_Plan = tuple[str, tuple[str, ...], tuple[tuple[int, Callable[[Any], Any]], ...]]


@lru_cache(maxsize=64)
def _plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Plan | None:
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    keys = compiled.positiontup
    if keys is None:
        return None
    # Only a few columns (UUIDs, dates, booleans) need converting; the rest pass as they are.
    conversions: list[tuple[int, Callable[[Any], Any]]] = []
    for index, key in enumerate(keys):
        bind = table.c[key].type._cached_bind_processor(dialect)
        if bind is not None:
            conversions.append((index, bind))
    return compiled.string, tuple(keys), tuple(conversions)


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name) in the connection's transaction."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql":
        _copy(connection, table, rows)
        return
    plan = _plan(table, tuple(rows[0]), dialect)
    if plan is None:
        connection.execute(insert(table), list(rows))
        return
    sql, keys, conversions = plan
    pick = itemgetter(*keys)
    tuples: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(pick(row)) if len(keys) > 1 else [pick(row)]
        for index, convert in conversions:
            values[index] = convert(values[index])
        tuples.append(tuple(values))
    connection.exec_driver_sql(sql, tuples)


def _copy(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    processors = [_python_value(table, name, connection) for name in columns]
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[name] if processor is None else processor(row[name])
                        for name, processor in zip(columns, processors, strict=True)
                    ]
                )
    except psycopg.errors.IntegrityError as exc:
        # COPY runs on the driver's cursor, outside SQLAlchemy: raise what an INSERT through
        # SQLAlchemy would, so callers handle a duplicate the same way on both databases.
        raise IntegrityError(statement, None, exc) from exc


def _python_value(table: Table, name: str, connection: Connection) -> Callable[[Any], Any] | None:
    """The type decorator's conversion (e.g. aware datetimes to UTC); psycopg adapts the rest."""
    column_type = table.c[name].type
    if not isinstance(column_type, TypeDecorator) or (
        type(column_type).process_bind_param is TypeDecorator.process_bind_param
    ):
        return None
    dialect = connection.dialect
    return lambda value: column_type.process_bind_param(value, dialect)

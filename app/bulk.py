"""Fast multi-row inserts for the few paths that write millions of rows.

SQLAlchemy's executemany spends most of its time building per-row parameter dicts. Here
each column's bind processor is looked up once and rows go to the driver as tuples; on
PostgreSQL they go through COPY. Values are stored exactly as the ORM would store them.

Encoding (Python values → what the driver takes) is apart from inserting, so that a
worker process can encode the rows that its parent inserts (an import's checking).
"""

from collections.abc import Callable, Collection, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, TypeDecorator, insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

# The least limit SQLite has on a statement's parameters (raised from 999 in 3.32); rows
# to a statement beyond a few hundred gain nothing.
_SQLITE_VARIABLES = 32766
_SQLITE_ROWS = 500

Encoder = Callable[[Sequence[Any]], tuple[Any, ...]]
"""Turns a row's values, in its columns' order, into the tuple the driver takes."""


def table_order(table: Table, names: Collection[str]) -> tuple[str, ...]:
    """``names`` in the order of the table's columns (the order rows are encoded in)."""
    return tuple(column.name for column in table.columns if column.name in names)


def dialect_named(name: str) -> Dialect:
    """A dialect like a connection's, from ``dialect.name`` and ``dialect.driver`` joined
    by ``+`` (what a worker process, which has no connection, encodes for)."""
    dialect: Dialect = URL.create(name).get_dialect()()
    return dialect


@lru_cache(maxsize=64)
def encoder(table: Table, columns: tuple[str, ...], dialect: Dialect) -> Encoder:
    """The encoder of rows of ``columns`` (in table order) of ``table`` for ``dialect``."""
    # Only a few columns (UUIDs, dates, booleans) need converting; the rest pass as they are.
    conversions: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        convert = (
            _python_value(table, name, dialect)
            if dialect.name == "postgresql"
            else table.c[name].type._cached_bind_processor(dialect)
        )
        if convert is not None:
            conversions.append((index, convert))

    def encode(values: Sequence[Any]) -> tuple[Any, ...]:
        row = list(values)
        for index, convert in conversions:
            value = row[index]
            if value is not None:  # NULL for every type these tables use (none is JSON)
                row[index] = convert(value)
        return tuple(row)

    return encode


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    # Compiled once per table and column set: a single response's insert would otherwise
    # spend most of its time compiling.
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    if compiled.positiontup != list(columns):
        raise ValueError(f"{table.name}: columns must be given in the table's order")
    return compiled.string


@lru_cache(maxsize=512)
def _rows_statement(table: Table, columns: tuple[str, ...], dialect: Dialect, rows: int) -> str:
    """The insert of ``rows`` rows in one statement (SQLite's multi-row VALUES)."""
    head, one_row = _statement(table, columns, dialect).rsplit(" VALUES ", 1)
    return f"{head} VALUES {', '.join([one_row] * rows)}"


def insert_encoded(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert encoded ``rows`` of ``columns`` in the connection's transaction."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
        return
    # Many rows to a statement: the driver steps an executemany once a row, releasing the
    # GIL each time, and a server's writer thread then waits for the event loop to give
    # it back (multi-row statements: 5 % more submissions a second under wrk).
    per_statement = min(_SQLITE_ROWS, _SQLITE_VARIABLES // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        statement = _rows_statement(table, columns, connection.dialect, len(chunk))
        connection.exec_driver_sql(statement, tuple(chain.from_iterable(chunk)))


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name) in the connection's transaction."""
    if not rows:
        return
    columns = table_order(table, rows[0])
    encode = encoder(table, columns, connection.dialect)
    pick = itemgetter(*columns)
    if len(columns) == 1:
        encoded = [encode((pick(row),)) for row in rows]
    else:
        encoded = [encode(pick(row)) for row in rows]
    insert_encoded(connection, table, columns, encoded)


def _copy(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    import psycopg  # here, where PostgreSQL is in use: a tenth of a second on SQLite's commands

    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as exc:
        # COPY runs on the driver's cursor, outside SQLAlchemy: raise what an INSERT through
        # SQLAlchemy would, so callers handle a duplicate the same way on both databases.
        raise IntegrityError(statement, None, exc) from exc


def _python_value(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The type decorator's conversion (e.g. aware datetimes to UTC); psycopg adapts the rest."""
    column_type = table.c[name].type
    if not isinstance(column_type, TypeDecorator) or (
        type(column_type).process_bind_param is TypeDecorator.process_bind_param
    ):
        return None
    return lambda value: column_type.process_bind_param(value, dialect)

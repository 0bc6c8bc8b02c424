"""An import's responses wait in temporary tables until the whole file is checked.

Checking a large file takes a minute; holding the database's write lock for that long
stops every counter's submissions (SQLite has one writer). So an import writes its rows
to temporary tables, which live beside the database (SQLite keeps them in a separate
file) and take none of its locks, and then publishes them in one short transaction of
``INSERT … SELECT``: all of the file or none of it, and the lock held for seconds, not
minutes.
"""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Connection, Integer, MetaData, Table, delete, func, insert, select

from app import tallied_months
from app.bulk import dialect_named, encoder, insert_encoded
from app.models import metadata
from app.responses.partitions import ensure_partitions
from app.responses.records import ANSWER_COLUMNS, MONTH_AT, RESPONSE_COLUMNS, ResponseRecord

_TABLES = ("response", "choice_answer", "text_answer")
_staging = MetaData()


def _stage(name: str) -> Table:
    # The live tables' columns and types, so each value is stored as the live insert would,
    # and the file's line of each row: a repeated id is named by its lines, and the rows
    # of a response left out (a repeat, or one already stored) are found by theirs.
    columns = [Column(column.name, column.type) for column in metadata.tables[name].columns]
    return Table(
        f"staging_{name}",
        _staging,
        *columns,
        Column("line", Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )


_STAGE = {name: _stage(name) for name in _TABLES}
_COLUMNS = {name: tuple(table.c.keys()) for name, table in _STAGE.items()}
# SQLite's default limit of bound parameters is 32,766 (999 before 3.32)
_LINES_PER_DELETE = 900


class StagedResponse(NamedTuple):
    """A checked response as its staging rows, encoded for the database's driver."""

    month: str | None  # None when it is excluded: no tally of its month changes
    response: tuple[Any, ...]
    choices: list[tuple[Any, ...]]
    texts: list[tuple[Any, ...]]


class StageEncoder:
    """Turns checked records into staging rows; it runs where the records are checked,
    in a worker process for a large file."""

    def __init__(self, dialect: str, zone: ZoneInfo, stored_at: datetime) -> None:
        on = dialect_named(dialect)
        self._zone = zone
        self._stored_at = stored_at
        self._response = encoder(_STAGE["response"], RESPONSE_COLUMNS, on)
        self._choice = encoder(_STAGE["choice_answer"], ANSWER_COLUMNS["choice_answer"], on)
        self._text = encoder(_STAGE["text_answer"], ANSWER_COLUMNS["text_answer"], on)

    def __call__(self, line: int, record: ResponseRecord) -> StagedResponse:
        response = self._response(record.response_row(self._zone, self._stored_at))
        return StagedResponse(
            None if record.excluded else response[MONTH_AT],
            (*response, line),
            [(*self._choice(row), line) for row in record.choice_rows()],
            [(*self._text(row), line) for row in record.text_rows()],
        )


class Staging:
    """Checked rows of one import, on the connection that made them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        dialect = connection.dialect
        self.dialect = f"{dialect.name}+{dialect.driver}"
        self.months: set[str] = set()
        self.rows = 0

    def add(self, staged: Sequence[StagedResponse]) -> None:
        self.months.update(row.month for row in staged if row.month is not None)
        tables = (
            [row.response for row in staged],
            [choice for row in staged for choice in row.choices],
            [text for row in staged for text in row.texts],
        )
        for name, rows in zip(_TABLES, tables, strict=True):
            insert_encoded(self._connection, _STAGE[name], _COLUMNS[name], rows)
        self.rows += len(staged)

    def leave_out_known(self) -> tuple[int, list[tuple[int, str]]]:
        """Leave out the responses the database or an earlier line of the file already
        holds with the same content. (How many were left out, and (line, problem) for
        each id that comes back with other content.)

        One pass of the database over all staged rows, after the file is read, rather
        than a lookup per batch: a million rows are checked in a second or two.
        """
        stage, live = _STAGE["response"], metadata.tables["response"]
        repeated = select(stage.c.id).group_by(stage.c.id).having(func.count() > 1)
        in_file = self._connection.execute(
            select(stage.c.id, stage.c.line, stage.c.content_sha256)
            .where(stage.c.id.in_(repeated))
            .order_by(stage.c.id, stage.c.line)
        )
        left_out: set[int] = set()
        problems: list[tuple[int, str]] = []
        first: dict[uuid.UUID, tuple[int, str]] = {}
        for row in in_file:
            earlier = first.setdefault(row.id, (row.line, row.content_sha256))
            if earlier[0] == row.line:
                continue
            left_out.add(row.line)
            if earlier[1] != row.content_sha256:
                problems.append((row.line, f"{row.id} also on line {earlier[0]}, other content"))
        stored = self._connection.execute(
            select(stage.c.id, stage.c.line, stage.c.content_sha256, live.c.content_sha256)
            .join(live, live.c.id == stage.c.id)
            .order_by(stage.c.line)
        )
        for response_id, line, content, stored_content in stored:
            if line in left_out:
                continue
            left_out.add(line)
            if content != stored_content:
                problems.append((line, f"{response_id} is already stored with other content"))
        self._drop_lines(left_out)
        self.rows -= len(left_out)
        return len(left_out) - len(problems), sorted(problems)

    def _drop_lines(self, left_out: set[int]) -> None:
        lines = sorted(left_out)
        for start in range(0, len(lines), _LINES_PER_DELETE):
            part = lines[start : start + _LINES_PER_DELETE]
            for stage in _STAGE.values():
                self._connection.execute(delete(stage).where(stage.c.line.in_(part)))

    def publish(self) -> None:
        """Move the rows to the live tables, in the caller's (short) write transaction;
        the tallies of their months are forgotten in it."""
        ensure_partitions(self._connection, self.months)
        with self._indexes_rebuilt_if_smaller():
            for name in _TABLES:
                live, stage = metadata.tables[name], _STAGE[name]
                names = [column.name for column in live.columns]
                # In key order, neighbouring rows land on the same B-tree pages (measured:
                # the lock is held 4.9 s instead of 6.0 s for 300,000 rows).
                keys = [stage.c[column.name] for column in live.primary_key]
                rows = select(*(stage.c[n] for n in names)).order_by(*keys)
                self._connection.execute(insert(live).from_select(names, rows))
        tallied_months.forget(self._connection, self.months)

    @contextmanager
    def _indexes_rebuilt_if_smaller(self) -> Iterator[None]:
        """Into a table that holds fewer responses than the file brings, SQLite builds the
        secondary indexes faster from scratch (one sort) than row by row, in random order
        (measured: 500,000 rows into an empty table published in 5.2 s instead of 9.3 s).

        PostgreSQL is left as it is: dropping an index there would block the readers of
        the table until the import commits.
        """
        live = metadata.tables["response"]
        rebuilt = []
        if self._connection.dialect.name == "sqlite":
            held = select(func.count()).select_from(select(live.c.id).limit(self.rows).subquery())
            if self._connection.execute(held).scalar_one() < self.rows:
                rebuilt = sorted(live.indexes, key=lambda index: str(index.name))
        for index in rebuilt:
            index.drop(self._connection)
        yield
        for index in rebuilt:
            index.create(self._connection)


@contextmanager
def staging(connection: Connection) -> Iterator[Staging]:
    """Empty temporary tables on ``connection`` for the block, dropped after it."""
    _drop(connection)
    for table in _STAGE.values():
        table.create(connection)
    try:
        yield Staging(connection)
    finally:
        _drop(connection)


def _drop(connection: Connection) -> None:
    for table in _STAGE.values():
        table.drop(connection, checkfirst=True)

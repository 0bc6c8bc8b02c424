"""Reading an import file: strict UTF-8, exact header, every problem with line and column."""

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.errors import AppError, FieldError

# Far above any form's question columns; a header of thousands is an attack or an accident.
MAX_COLUMNS = 500

Progress = Callable[[int, int, int], None]
"""Called with (bytes read, total bytes, data rows read) while a file streams."""


@dataclass
class ImportRejected(AppError):
    """The file was not imported; nothing of it was stored."""

    total_errors: int = 0
    status_code: int = 422


@dataclass
class ErrorLog:
    """Collects row errors up to a cap, counting the rest."""

    source: str
    cap: int
    errors: list[FieldError] = field(default_factory=list)
    total: int = 0

    def add(self, line: int | None, column: str, message: str) -> None:
        self.total += 1
        if len(self.errors) < self.cap:
            self.errors.append(FieldError(column, message, line))

    def at(self, line: int) -> Callable[[str, str], None]:
        """A reporter of problems on one line: ``report(column, message)``."""

        def report(column: str, message: str) -> None:
            self.add(line, column, message)

        return report

    def drain(self) -> list[tuple[int | None, str, str]]:
        """Take the errors collected so far as (line, column, message), and start afresh."""
        taken = [(error.line, error.field, error.message) for error in self.errors]
        self.errors = []
        self.total = 0
        return taken

    def raise_if_any(self) -> None:
        if self.total:
            shown = len(self.errors)
            more = f" (first {shown} shown)" if shown < self.total else ""
            raise ImportRejected(
                f"{self.source}: {self.total} error(s){more}; nothing was imported",
                # In line order, though some are found after the file is read (its ids)
                sorted(self.errors, key=lambda error: error.line or 0),
                total_errors=self.total,
            )


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]


class CsvSource:
    """A CSV file read line by line in constant memory, with the header checked first."""

    def __init__(self, stream: BinaryIO, name: str, total_bytes: int = 0) -> None:
        self._stream = stream
        self.name = name
        self.total_bytes = total_bytes
        self.bytes_read = 0
        self.bad_lines: list[tuple[int, str]] = []
        self.header: list[str] = []

    @classmethod
    def open(cls, path: Path) -> "CsvSource":
        return cls(path.open("rb"), path.name, path.stat().st_size)

    def close(self) -> None:
        self._stream.close()

    def _decoded_lines(self) -> Iterator[str]:
        for number, raw in enumerate(self._stream, start=1):
            self.bytes_read += len(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad_lines.append((number, f"not UTF-8 (byte {exc.start + 1} of the line)"))
                yield ""

    def rows(
        self,
        required: tuple[str, ...],
        errors: ErrorLog,
        *,
        optional: tuple[str, ...] = (),
        extra: Callable[[str], bool] | None = None,
        progress: Progress | None = None,
    ) -> Iterator[Row]:
        """Data rows as dicts; header problems are reported on line 1 and stop the file.

        ``extra`` accepts further columns by name (the question columns of responses).
        """
        records = self.records(required, errors, optional=optional, extra=extra, progress=progress)
        for line, fields in records:
            yield Row(line, dict(zip(self.header, fields, strict=True)))

    def records(
        self,
        required: tuple[str, ...],
        errors: ErrorLog,
        *,
        optional: tuple[str, ...] = (),
        extra: Callable[[str], bool] | None = None,
        progress: Progress | None = None,
    ) -> Iterator[tuple[int, list[str]]]:
        """``rows`` as (line, fields in the order of ``header``), for a reader that makes
        the dicts elsewhere (a worker process)."""
        reader = csv.reader(self._decoded_lines(), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            errors.add(1, "(header)", "the file is empty")
            return
        except csv.Error as exc:
            errors.add(1, "(header)", f"malformed CSV: {exc}")
            return
        if self.bad_lines:
            errors.add(1, "(header)", self.bad_lines[-1][1])
            return
        header = [name.strip() for name in header]
        if len(header) > MAX_COLUMNS:
            errors.add(1, "(header)", f"{len(header)} columns; a file may have {MAX_COLUMNS}")
            return
        known = set(required) | set(optional)
        for name in required:
            if name not in header:
                errors.add(1, name, "missing column")
        for name in header:
            if name not in known and not (extra and extra(name)):
                errors.add(1, name or "(blank)", "unknown column")
        repeated = sorted(name for name, times in Counter(header).items() if times > 1)
        for name in repeated:
            errors.add(1, name, "column appears more than once")
        if errors.total:
            return
        self.header = header
        rows_read = 0
        while True:
            first_line = reader.line_num + 1  # a quoted field may span lines
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.add(reader.line_num, "(row)", f"malformed CSV: {exc}")
                continue
            line = reader.line_num
            if self.bad_lines and self.bad_lines[-1][0] >= first_line:
                bad_line, reason = self.bad_lines[-1]
                errors.add(bad_line, "(row)", reason)
                continue
            if not record or record == [""]:
                continue
            if len(record) != len(header):
                errors.add(line, "(row)", f"{len(record)} fields, the header has {len(header)}")
                continue
            rows_read += 1
            if progress is not None and rows_read % 50_000 == 0:
                progress(self.bytes_read, self.total_bytes, rows_read)
            yield line, [field.strip() for field in record]
        if progress is not None:
            progress(self.bytes_read, self.total_bytes, rows_read)

"""Import of responses (paper surveys, migrations from other systems).

The file streams in batches: constant memory whatever its size. Every row is validated
against its form; ids make re-imports idempotent (same id and content: skipped; same id and
other content: an error). The whole file is one transaction: any error, nothing stored.
"""

import hashlib
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import clock
from app.audit import record_action
from app.db import on_one_connection, writing
from app.imports.csvfile import CsvSource, ErrorLog, ImportRejected, Progress, Row
from app.imports.reference import ImportResult, sector_codes, unit_ids_by_code
from app.models import CHANNELS, Procedure
from app.months import OUTSIDE_YEARS, within_years
from app.parallel import cores, ordered_map
from app.responses.records import ResponseRecord
from app.responses.staging import StagedResponse, StageEncoder, Staging, staging
from app.surveys.forms import (
    FormCatalog,
    FreeText,
    MultiChoice,
    SurveyFormDefinition,
    validate_answers,
)
from app.surveys.service import register_forms
from app.text import is_whole_number

CONTEXT_COLUMNS = (
    "id",
    "submitted_at",
    "unit_code",
    "sector",
    "channel",
    "procedure_code",
    "form_id",
    "form_version",
)
_BATCH = 2000
_CHUNK = 2000
# From this size (about 100,000 rows) a file is checked on every core: starting the
# worker processes costs a second.
_PARALLEL_BYTES = 8 << 20
_CLOCK_SKEW = timedelta(days=1)


@dataclass
class _Lookups:
    """What every row is checked against, read once per file."""

    units: dict[str, int]
    sectors: set[str]
    procedures: dict[str, str]  # code → its sector
    forms: dict[tuple[str, str], SurveyFormDefinition]
    question_ids: set[str]
    _kinds: dict[tuple[str, int], list[tuple[str, str | None]]] = field(default_factory=dict)
    _content: list[str] = field(default_factory=list)

    def cell_kinds(
        self, form: SurveyFormDefinition, values: dict[str, str]
    ) -> list[tuple[str, str | None]]:
        """The file's question columns with how to read them for ``form``."""
        kinds = self._kinds.get(form.key)
        if kinds is None:
            columns = [column for column in values if column in self.question_ids]
            kinds = self._kinds[form.key] = _cell_kinds(form, columns)
        return kinds

    def content_columns(self, values: dict[str, str]) -> list[str]:
        """Every column but the instant, in a fixed order whatever the file's."""
        if not self._content:
            self._content = sorted(column for column in values if column != "submitted_at")
        return self._content


def _parse_answer(kind: str, raw: str) -> int | str | list[int]:
    """A non-empty CSV cell as an answer value; ValueError when it is not one."""
    if kind == "text":
        return raw
    if kind == "multi":
        return [int(part) for part in raw.split(";")]
    return int(raw)


def _cell_kinds(form: SurveyFormDefinition, columns: list[str]) -> list[tuple[str, str | None]]:
    """How to read each question column for ``form``: text, multi, code, or None (not
    a question of this form)."""
    kinds: list[tuple[str, str | None]] = []
    for qid in columns:
        question = form.by_id.get(qid)
        if question is None:
            kinds.append((qid, None))
        elif isinstance(question, FreeText):
            kinds.append((qid, "text"))
        elif isinstance(question, MultiChoice):
            kinds.append((qid, "multi"))
        else:
            kinds.append((qid, "code"))
    return kinds


def _record(row: Row, errors: ErrorLog, lookups: _Lookups, now: datetime) -> ResponseRecord | None:
    values = row.values
    failed = errors.total
    bad = errors.at(row.line)
    try:
        response_id = uuid.UUID(values["id"])
    except ValueError:
        bad("id", f"'{values['id']}' is not a UUID")
    try:
        submitted_at = datetime.fromisoformat(values["submitted_at"])
    except ValueError:
        bad("submitted_at", f"'{values['submitted_at']}' is not an ISO 8601 date-time")
    else:
        if submitted_at.tzinfo is None:
            bad("submitted_at", "needs a UTC offset, e.g. 2026-10-05T09:14:02+07:00")
        elif not within_years(submitted_at):
            bad("submitted_at", OUTSIDE_YEARS)
        elif submitted_at > now + _CLOCK_SKEW:
            bad("submitted_at", "is in the future")
    unit_id = lookups.units.get(values["unit_code"])
    if unit_id is None:
        bad("unit_code", f"unknown unit '{values['unit_code']}'")
    sector = values["sector"]
    if sector not in lookups.sectors:
        bad("sector", f"unknown sector '{sector}'")
    channel = values["channel"]
    if channel not in CHANNELS:
        bad("channel", f"'{channel}' is not one of {', '.join(CHANNELS)}")
    procedure = values["procedure_code"] or None
    if procedure is not None and procedure not in lookups.procedures:
        bad("procedure_code", f"unknown procedure '{procedure}'")
    elif procedure is not None and sector in lookups.sectors:
        of = lookups.procedures[procedure]
        if of != sector:
            bad("procedure_code", f"procedure '{procedure}' is of sector '{of}', not '{sector}'")
    form = lookups.forms.get((values["form_id"], values["form_version"]))
    if form is None:
        if is_whole_number(values["form_version"]):
            bad("form_id", f"no form '{values['form_id']}' version {values['form_version']}")
        else:
            bad("form_version", f"'{values['form_version']}' is not a version number")
        return None
    if channel in CHANNELS and channel not in form.channels:
        bad("channel", f"form '{form.id}' is not used on channel '{channel}'")
    kinds = lookups.cell_kinds(form, values)
    answers: dict[str, int | str | list[int] | None] = {}
    for qid, kind in kinds:
        raw = values[qid]
        if not raw:
            continue
        if kind is None:
            bad(qid, f"not a question of form '{form.id}' v{form.version}")
            continue
        try:
            answers[qid] = _parse_answer(kind, raw)
        except ValueError:
            bad(qid, f"'{raw}' is not an answer code")
    checked = validate_answers(form, answers, enforce_required=channel != "paper")
    for qid, message in checked.errors:
        bad(qid, message)
    if errors.total > failed or unit_id is None:
        return None
    # The content a re-import must repeat exactly: every column, the instant in UTC.
    content = [values[key] for key in lookups.content_columns(values)]
    content.append(submitted_at.astimezone(UTC).isoformat())
    return ResponseRecord(
        id=response_id,
        submitted_at=submitted_at,
        unit_id=unit_id,
        sector_code=sector,
        procedure_code=procedure,
        channel=channel,
        form=form,
        source="import",
        codes=checked.codes,
        texts=checked.texts,
        content_sha256=hashlib.sha256("\x1f".join(content).encode("utf-8")).hexdigest(),
    )


def import_responses(
    session: Session,
    source: CsvSource,
    catalog: FormCatalog,
    zone: ZoneInfo,
    cap: int,
    actor: str,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import a responses CSV (docs/contracts.md §2), all or nothing.

    The file is checked into temporary tables while the server goes on storing
    submissions; only the final move to the live tables takes the write lock. A large
    file is checked on every core (``workers``: by default, one process for a small file).
    """
    register_forms(session, catalog)
    if workers is None:
        workers = cores() if source.total_bytes >= _PARALLEL_BYTES else 1
    with on_one_connection(session) as pinned:
        connection = pinned.connection()
        with staging(connection) as staged:
            rows, skipped, errors = _check(pinned, source, catalog, staged, zone, cap, workers,
                                           progress)  # fmt: skip
            errors.raise_if_any()
            result = ImportResult("responses", source.name, rows, staged.rows, 0, skipped)
            try:
                with writing(pinned):
                    staged.publish()
                    record_action(pinned, actor, "import", "responses", source.name,
                                  detail=repr(result))  # fmt: skip
            except IntegrityError as exc:
                raise ImportRejected(
                    f"{source.name}: responses with ids of this file were stored while it "
                    "was being checked; nothing was imported, run the import again",
                    [],
                ) from exc
    return result


# A chunk of a file as read: its header, its rows as (line, fields), and the problems the
# reader found among them (malformed lines), as (line, column, message).
_Chunk = tuple[list[str], list[tuple[int, list[str]]], list[tuple[int | None, str, str]]]


class _CheckedChunk(NamedTuple):
    rows: int
    errors: list[tuple[int | None, str, str]]  # in line order, the reader's included
    staged: list[StagedResponse]


@dataclass
class _Checker:
    """What a process checking chunks needs, set once per process."""

    lookups: _Lookups
    now: datetime
    encode: StageEncoder


_checker: _Checker | None = None


def _start_checking(
    lookups: _Lookups, now: datetime, zone: ZoneInfo, stored_at: datetime, dialect: str
) -> None:
    global _checker
    _checker = _Checker(lookups, now, StageEncoder(dialect, zone, stored_at))


def _check_chunk(chunk: _Chunk) -> _CheckedChunk:
    """Check a chunk's rows against their forms (in a worker process for a large file)."""
    assert _checker is not None, "_start_checking runs first"
    header, rows, reader_errors = chunk
    found = ErrorLog("", cap=sys.maxsize)
    staged: list[StagedResponse] = []
    for line, fields in rows:
        record = _record(Row(line, dict(zip(header, fields, strict=True))), found,
                         _checker.lookups, _checker.now)  # fmt: skip
        if record is not None:
            staged.append(_checker.encode(line, record))
    errors = sorted(reader_errors + found.drain(), key=lambda error: error[0] or 0)
    return _CheckedChunk(len(rows), errors, staged)


def _chunks(
    source: CsvSource, question_ids: set[str], progress: Progress | None
) -> Iterator[_Chunk]:
    found = ErrorLog(source.name, cap=sys.maxsize)
    rows: list[tuple[int, list[str]]] = []
    records = source.records(
        CONTEXT_COLUMNS, found, extra=question_ids.__contains__, progress=progress
    )
    for record in records:
        rows.append(record)
        if len(rows) == _CHUNK:
            yield source.header, rows, found.drain()
            rows = []
    yield source.header, rows, found.drain()


def _check(
    session: Session,
    source: CsvSource,
    catalog: FormCatalog,
    staged: Staging,
    zone: ZoneInfo,
    cap: int,
    workers: int,
    progress: Progress | None,
) -> tuple[int, int, ErrorLog]:
    """Read and check every row; stage the new ones. (rows, already stored, errors)."""
    question_ids = {q.id for loaded in catalog.loaded() for q in loaded.definition.questions}
    lookups = _Lookups(
        units=unit_ids_by_code(session),
        sectors=sector_codes(session),
        procedures=dict(session.exec(select(Procedure.code, Procedure.sector_code)).all()),
        forms={(f.id, str(f.version)): f for f in (x.definition for x in catalog.loaded())},
        question_ids=question_ids,
    )
    errors = ErrorLog(source.name, cap)
    now = clock.now()
    rows = 0
    checked = ordered_map(
        _check_chunk,
        _chunks(source, question_ids, progress),
        workers=workers,
        setup=_start_checking,
        setup_args=(lookups, now, zone, now, staged.dialect),
    )
    try:
        for chunk in checked:
            rows += chunk.rows
            for line, column, message in chunk.errors:
                errors.add(line, column, message)
            staged.add(chunk.staged)
    finally:
        source.close()
    skipped, repeats = staged.leave_out_known()
    for line, message in repeats:
        errors.add(line, "id", message)
    return rows, skipped, errors

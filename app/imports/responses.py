"""Import of responses (paper surveys, migrations from other systems).

The file streams in batches: constant memory whatever its size. Every row is validated
against its form; ids make re-imports idempotent (same id and content: skipped; same id and
other content: an error). The whole file is one transaction: any error, nothing stored.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from app.responses.records import ResponseRecord, stored_fingerprints
from app.responses.staging import Staging, staging
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
) -> ImportResult:
    """Import a responses CSV (docs/contracts.md §2), all or nothing.

    The file is checked into temporary tables while the server goes on storing
    submissions; only the final move to the live tables takes the write lock.
    """
    register_forms(session, catalog)
    with on_one_connection(session) as pinned:
        connection = pinned.connection()
        with staging(connection, zone) as staged:
            rows, skipped, errors = _check(pinned, source, catalog, staged, cap, progress)
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


def _check(
    session: Session,
    source: CsvSource,
    catalog: FormCatalog,
    staged: Staging,
    cap: int,
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
    connection = session.connection()
    now = clock.now()
    rows = skipped = 0
    batch: dict[uuid.UUID, tuple[int, ResponseRecord]] = {}

    def flush() -> None:
        nonlocal skipped
        stored = stored_fingerprints(connection, list(batch))
        fresh: list[ResponseRecord] = []
        for response_id, (line, record) in batch.items():
            known = stored.get(response_id)
            if known is None:
                fresh.append(record)
            elif known == record.content_sha256:
                skipped += 1
            else:
                errors.add(line, "id", f"{response_id} is already stored with other content")
        if not errors.total:
            staged.add(fresh)
        batch.clear()

    try:
        for row in source.rows(
            CONTEXT_COLUMNS, errors, extra=question_ids.__contains__, progress=progress
        ):
            rows += 1
            record = _record(row, errors, lookups, now)
            if record is None:
                continue
            earlier = batch.get(record.id)
            if earlier is not None:
                if earlier[1].content_sha256 != record.content_sha256:
                    errors.add(
                        row.line, "id", f"{record.id} also on line {earlier[0]}, other content"
                    )
                else:
                    skipped += 1
                continue
            batch[record.id] = (row.line, record)
            if len(batch) >= _BATCH:
                flush()
        flush()
    finally:
        source.close()
    return rows, skipped, errors

"""Import of responses (paper surveys, migrations from other systems).

The file streams in batches: constant memory whatever its size. Every row is validated
against its form; ids make re-imports idempotent (same id and content: skipped; same id and
other content: an error). The whole file is one transaction: any error, nothing stored.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.audit import record_action
from app.imports.csvfile import CsvSource, ErrorLog, Progress, Row
from app.imports.reference import ImportResult, sector_codes, unit_ids_by_code
from app.models import CHANNELS, Procedure
from app.responses.records import (
    ResponseRecord,
    fingerprint,
    insert_records,
    stored_fingerprints,
)
from app.surveys.forms import (
    FormCatalog,
    FreeText,
    MultiChoice,
    SurveyFormDefinition,
    validate_answers,
)
from app.surveys.service import register_forms

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
    units: dict[str, int]
    sectors: set[str]
    procedures: set[str]
    catalog: FormCatalog
    question_ids: set[str]


def _parse_answer(
    form: SurveyFormDefinition, qid: str, raw: str
) -> tuple[int | str | list[int] | None, str | None]:
    """A CSV cell as an answer value, or an error message."""
    question = form.by_id[qid]
    if raw == "":
        return None, None
    if isinstance(question, FreeText):
        return raw, None
    parts = raw.split(";") if isinstance(question, MultiChoice) else [raw]
    try:
        codes = [int(part) for part in parts]
    except ValueError:
        return None, f"'{raw}' is not an answer code"
    return (codes if isinstance(question, MultiChoice) else codes[0]), None


def _record(row: Row, errors: ErrorLog, lookups: _Lookups, now: datetime) -> ResponseRecord | None:
    values = row.values
    failed = errors.total

    def bad(column: str, message: str) -> None:
        errors.add(row.line, column, message)

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
        elif submitted_at > now + _CLOCK_SKEW:
            bad("submitted_at", "is in the future")
    if values["unit_code"] not in lookups.units:
        bad("unit_code", f"unknown unit '{values['unit_code']}'")
    if values["sector"] not in lookups.sectors:
        bad("sector", f"unknown sector '{values['sector']}'")
    channel = values["channel"]
    if channel not in CHANNELS:
        bad("channel", f"'{channel}' is not one of {', '.join(CHANNELS)}")
    procedure = values["procedure_code"] or None
    if procedure is not None and procedure not in lookups.procedures:
        bad("procedure_code", f"unknown procedure '{procedure}'")
    form = None
    version = values["form_version"]
    if not version.isdigit():
        bad("form_version", f"'{version}' is not a version number")
    else:
        form = lookups.catalog.get(values["form_id"], int(version))
        if form is None:
            bad("form_id", f"no form '{values['form_id']}' version {version}")
    if form is None:
        return None
    if channel in CHANNELS and channel not in form.channels:
        bad("channel", f"form '{form.id}' is not used on channel '{channel}'")
    answers: dict[str, int | str | list[int] | None] = {}
    for qid in lookups.question_ids:
        raw = values.get(qid, "")
        if qid not in form.by_id:
            if raw:
                bad(qid, f"not a question of form '{form.id}' v{form.version}")
            continue
        value, problem = _parse_answer(form, qid, raw)
        if problem:
            bad(qid, problem)
        else:
            answers[qid] = value
    checked = validate_answers(form, answers)
    for qid, message in checked.errors:
        bad(qid, message)
    if errors.total > failed:
        return None
    content: dict[str, object] = {k: values[k] for k in CONTEXT_COLUMNS if k != "submitted_at"}
    content["submitted_at"] = submitted_at.astimezone(UTC).isoformat()
    content["answers"] = {qid: value for qid, value in answers.items() if value is not None}
    return ResponseRecord(
        id=response_id,
        submitted_at=submitted_at,
        unit_id=lookups.units[values["unit_code"]],
        sector_code=values["sector"],
        procedure_code=procedure,
        channel=channel,
        form=form,
        source="import",
        codes=checked.codes,
        texts=checked.texts,
        content_sha256=fingerprint(content),
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
    """Import a responses CSV (DESIGN.md §5.2), all or nothing."""
    register_forms(session, catalog)
    question_ids = {q.id for loaded in catalog.loaded() for q in loaded.definition.questions}
    lookups = _Lookups(
        units=unit_ids_by_code(session),
        sectors=sector_codes(session),
        procedures=set(session.exec(select(Procedure.code))),
        catalog=catalog,
        question_ids=question_ids,
    )
    errors = ErrorLog(source.name, cap)
    connection = session.connection()
    now = datetime.now(UTC)
    rows = inserted = skipped = 0
    batch: dict[uuid.UUID, tuple[int, ResponseRecord]] = {}

    def flush() -> None:
        nonlocal inserted, skipped
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
            insert_records(connection, fresh, zone)
            inserted += len(fresh)
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
    if errors.total:
        session.rollback()
        errors.raise_if_any()
    result = ImportResult("responses", source.name, rows, inserted, 0, skipped)
    record_action(session, actor, "import", "responses", source.name, detail=repr(result))
    session.commit()
    return result

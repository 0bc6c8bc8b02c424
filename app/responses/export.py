"""Exporting responses: keyset pages of JSON, or CSV streamed in constant memory.

Every export masks phone numbers, 12-digit ID numbers and e-mail addresses in free text,
and CSV cells that a spreadsheet would run as a formula are neutralised.
"""

import base64
import binascii
import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.models import ChoiceAnswer, Response, TextAnswer, Unit
from app.months import within_years
from app.privacy import mask_personal_data
from app.surveys.forms import FormCatalog, decode_codes
from app.text import displayable, safe_cell

PAGE_DEFAULT = 500
PAGE_MAX = 5000
CONTEXT_COLUMNS = (
    "id", "submitted_at", "local_date", "unit_code", "sector", "channel", "procedure_code",
    "form_id", "form_version", "language", "flag_repeat_device", "flag_too_fast",
    "flag_straight_line", "excluded",
)  # fmt: skip


@dataclass(frozen=True)
class ExportFilter:
    date_from: date
    date_to: date
    unit_ids: frozenset[int] | None = None
    sector: str | None = None


def _encode_cursor(submitted_at: datetime, response_id: uuid.UUID) -> str:
    raw = f"{submitted_at.isoformat()}|{response_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        stamp, identifier = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None or not within_years(moment):
            raise ValueError("not a moment this API wrote")
        return moment, uuid.UUID(identifier)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("bad cursor", [FieldError("cursor", "not a cursor of this API")]) from exc


def _page(
    session: Session, scope: ExportFilter, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Response]:
    query = select(Response).where(
        Response.local_date >= scope.date_from, Response.local_date <= scope.date_to
    )
    if scope.unit_ids is not None:
        query = query.where(col(Response.unit_id).in_(scope.unit_ids))
    if scope.sector is not None:
        query = query.where(Response.sector_code == scope.sector)
    if after is not None:
        stamp, identifier = after
        query = query.where(
            or_(
                col(Response.submitted_at) > stamp,
                and_(col(Response.submitted_at) == stamp, col(Response.id) > identifier),
            )
        )
    query = query.order_by(col(Response.submitted_at), col(Response.id)).limit(limit)
    return list(session.exec(query))


def _details(
    session: Session, responses: list[Response]
) -> tuple[dict[uuid.UUID, dict[str, list[int]]], dict[uuid.UUID, dict[str, str]]]:
    ids = [r.id for r in responses]
    choices: dict[uuid.UUID, dict[str, list[int]]] = {}
    texts: dict[uuid.UUID, dict[str, str]] = {}
    if not ids:
        return choices, texts
    for choice in session.exec(select(ChoiceAnswer).where(col(ChoiceAnswer.response_id).in_(ids))):
        choices.setdefault(choice.response_id, {}).setdefault(choice.question_id, []).append(
            choice.code
        )
    for text in session.exec(select(TextAnswer).where(col(TextAnswer.response_id).in_(ids))):
        texts.setdefault(text.response_id, {})[text.question_id] = mask_personal_data(
            displayable(text.text)
        )
    return choices, texts


def _record(
    response: Response,
    catalog: FormCatalog,
    unit_codes: dict[int | None, str],
    zone: ZoneInfo,
    choices: dict[str, list[int]],
    texts: dict[str, str],
) -> dict[str, Any]:
    form = catalog.get(response.form_id, response.form_version)
    answers: dict[str, Any] = decode_codes(form, response.answer_codes) if form else {}
    answers.update({qid: sorted(codes) for qid, codes in choices.items()})
    answers.update(texts)
    return {
        "id": str(response.id),
        "submitted_at": response.submitted_at.astimezone(zone).isoformat(),
        "local_date": response.local_date.isoformat(),
        "unit_code": unit_codes.get(response.unit_id),
        "sector": response.sector_code,
        "channel": response.channel,
        "procedure_code": response.procedure_code,
        "form_id": response.form_id,
        "form_version": response.form_version,
        "language": response.language,
        "flag_repeat_device": response.flag_repeat_device,
        "flag_too_fast": response.flag_too_fast,
        "flag_straight_line": response.flag_straight_line,
        "excluded": response.excluded,
        "answers": answers,
    }


def export_page(
    session: Session,
    catalog: FormCatalog,
    zone: ZoneInfo,
    scope: ExportFilter,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """One page of responses in time order, and the cursor of the next page (or null)."""
    if not 1 <= limit <= PAGE_MAX:
        raise Invalid("bad limit", [FieldError("limit", f"must be 1 to {PAGE_MAX}")])
    after = _decode_cursor(cursor) if cursor else None
    responses = _page(session, scope, after, limit)
    unit_codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    choices, texts = _details(session, responses)
    items = [
        _record(r, catalog, unit_codes, zone, choices.get(r.id, {}), texts.get(r.id, {}))
        for r in responses
    ]
    next_cursor = None
    if len(responses) == limit:
        last = responses[-1]
        next_cursor = _encode_cursor(last.submitted_at, last.id)
    return {"items": items, "next_cursor": next_cursor}


def export_csv(
    session: Session, catalog: FormCatalog, zone: ZoneInfo, scope: ExportFilter
) -> Iterator[str]:
    """The CSV text, a chunk per page, whatever the number of responses."""
    questions: list[str] = []
    for loaded in catalog.loaded():
        questions.extend(q.id for q in loaded.definition.questions if q.id not in questions)
    unit_codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CONTEXT_COLUMNS, *questions])
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        responses = _page(session, scope, after, PAGE_DEFAULT)
        choices, texts = _details(session, responses)
        for response in responses:
            record = _record(
                response, catalog, unit_codes, zone,
                choices.get(response.id, {}), texts.get(response.id, {}),
            )  # fmt: skip
            answers = record.pop("answers")
            cells = [record[c] for c in CONTEXT_COLUMNS]
            for qid in questions:
                value = answers.get(qid)
                cells.append(";".join(map(str, value)) if isinstance(value, list) else value)
            writer.writerow([safe_cell("" if v is None else v) for v in cells])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(responses) < PAGE_DEFAULT:
            return
        after = (responses[-1].submitted_at, responses[-1].id)

"""The one write path for responses: from validated content to rows, inserted in bulk."""

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from app import clock, tallied_months
from app.bulk import bulk_insert
from app.models import metadata
from app.months import Month
from app.surveys.forms import SurveyFormDefinition, encode_codes

# Straight-lining only means something on a long form; the quick form's five element
# questions may honestly all get the same answer.
_STRAIGHT_LINE_MIN_QUESTIONS = 8


def fingerprint(content: Mapping[str, Any]) -> str:
    """SHA-256 of content in a canonical JSON form: equal content, equal fingerprint."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseRecord(NamedTuple):
    """A validated response, ready to store (a tuple: millions are built in an import)."""

    id: uuid.UUID
    submitted_at: datetime
    unit_id: int
    sector_code: str
    channel: str
    form: SurveyFormDefinition
    source: str
    codes: tuple[tuple[str, int], ...]
    texts: tuple[tuple[str, str], ...]
    content_sha256: str
    procedure_code: str | None = None
    counter_id: int | None = None
    invitation_id: int | None = None
    started_at: datetime | None = None
    language: str = "vi"
    flag_repeat_device: bool = False
    flag_too_fast: bool | None = None  # None: the start is unknown
    device_hash: str | None = None

    @property
    def flag_straight_line(self) -> bool:
        likert_ids = self.form.likert_ids
        if len(likert_ids) < _STRAIGHT_LINE_MIN_QUESTIONS:
            return False
        answers = {code for qid, code in self.codes if qid in likert_ids}
        answered = {qid for qid, _ in self.codes if qid in likert_ids}
        return answered == likert_ids and len(answers) == 1

    @property
    def excluded(self) -> bool:
        """Left out of the analysis by a quality flag (the one place this is decided)."""
        return self.flag_repeat_device or self.flag_too_fast is True or self.flag_straight_line

    def rows(
        self, zone: ZoneInfo, stored_at: datetime
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The response row, its multiple-choice rows and its text rows."""
        local_date = self.submitted_at.astimezone(zone).date()
        month = str(Month.of(local_date))
        response = {
            "id": self.id,
            "submitted_at": self.submitted_at,
            "local_date": local_date,
            "month": month,
            "started_at": self.started_at,
            "unit_id": self.unit_id,
            "counter_id": self.counter_id,
            "invitation_id": self.invitation_id,
            "sector_code": self.sector_code,
            "procedure_code": self.procedure_code,
            "channel": self.channel,
            "form_id": self.form.id,
            "form_version": self.form.version,
            "language": self.language,
            "source": self.source,
            "flag_repeat_device": self.flag_repeat_device,
            "flag_too_fast": self.flag_too_fast,
            "flag_straight_line": self.flag_straight_line,
            "excluded": self.excluded,
            "answer_codes": encode_codes(self.form, self.codes),
            "content_sha256": self.content_sha256,
            "device_hash": self.device_hash,
            "created_at": stored_at,
        }
        multi = self.form.multi_choice_ids
        choices = [
            {"response_id": self.id, "question_id": qid, "code": code}
            for qid, code in self.codes
            if qid in multi
        ]
        texts = [{"response_id": self.id, "question_id": qid, "text": t} for qid, t in self.texts]
        return response, choices, texts


def insert_records(
    connection: Connection, records: Sequence[ResponseRecord], zone: ZoneInfo
) -> None:
    """Insert responses with their answers, in the caller's transaction; the tallies of
    the months they fall in are forgotten in the same transaction."""
    if not records:
        return
    responses: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    stored_at = clock.now()
    for record in records:
        response, record_choices, record_texts = record.rows(zone, stored_at)
        responses.append(response)
        choices.extend(record_choices)
        texts.extend(record_texts)
    bulk_insert(connection, metadata.tables["response"], responses)
    bulk_insert(connection, metadata.tables["choice_answer"], choices)
    bulk_insert(connection, metadata.tables["text_answer"], texts)
    tallied_months.forget(connection, {row["month"] for row in responses if not row["excluded"]})


def stored_fingerprints(connection: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The content fingerprints of those of ``ids`` already stored."""
    if not ids:
        return {}
    table = metadata.tables["response"]
    rows = connection.execute(select(table.c.id, table.c.content_sha256).where(table.c.id.in_(ids)))
    return {row.id: row.content_sha256 for row in rows}

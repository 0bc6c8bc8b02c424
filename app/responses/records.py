"""The one write path for responses: from validated content to rows, inserted in bulk."""

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from app import clock, tallied_months
from app.bulk import encoder, insert_encoded
from app.models import metadata
from app.months import Month
from app.responses.partitions import ensure_partitions
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

    def response_row(self, zone: ZoneInfo, stored_at: datetime) -> tuple[Any, ...]:
        """The response's row, in the order of ``RESPONSE_COLUMNS`` (the table's)."""
        local_date = self.submitted_at.astimezone(zone).date()
        return (
            self.id,
            self.submitted_at,
            local_date,
            str(Month.of(local_date)),
            self.started_at,
            self.unit_id,
            self.counter_id,
            self.invitation_id,
            self.sector_code,
            self.procedure_code,
            self.channel,
            self.form.id,
            self.form.version,
            self.language,
            self.source,
            encode_codes(self.form, self.codes),
            self.flag_repeat_device,
            self.flag_too_fast,
            self.flag_straight_line,
            self.excluded,
            self.device_hash,
            self.content_sha256,
            stored_at,
        )

    def choice_rows(self) -> list[tuple[uuid.UUID, str, int]]:
        """Its multiple-choice answers as (response id, question id, code)."""
        multi = self.form.multi_choice_ids
        return [(self.id, qid, code) for qid, code in self.codes if qid in multi]

    def text_rows(self) -> list[tuple[uuid.UUID, str, str]]:
        """Its free texts as (response id, question id, text)."""
        return [(self.id, qid, text) for qid, text in self.texts]


RESPONSE_COLUMNS = tuple(column.name for column in metadata.tables["response"].columns)
# Where a response row holds its month and its exclusion
MONTH_AT, EXCLUDED_AT = RESPONSE_COLUMNS.index("month"), RESPONSE_COLUMNS.index("excluded")
ANSWER_COLUMNS = {
    "choice_answer": ("response_id", "question_id", "code"),
    "text_answer": ("response_id", "question_id", "text"),
}


def insert_records(
    connection: Connection, records: Sequence[ResponseRecord], zone: ZoneInfo
) -> None:
    """Insert responses with their answers, in the caller's transaction (their months'
    partitions made first where there are any); the tallies of the months they fall in
    are forgotten in the same transaction."""
    if not records:
        return
    stored_at = clock.now()
    responses = [record.response_row(zone, stored_at) for record in records]
    ensure_partitions(connection, {row[MONTH_AT] for row in responses})
    choices = [row for record in records for row in record.choice_rows()]
    texts = [row for record in records for row in record.text_rows()]
    for name, columns, rows in (
        ("response", RESPONSE_COLUMNS, responses),
        ("choice_answer", ANSWER_COLUMNS["choice_answer"], choices),
        ("text_answer", ANSWER_COLUMNS["text_answer"], texts),
    ):
        table = metadata.tables[name]
        encode = encoder(table, columns, connection.dialect)
        insert_encoded(connection, table, columns, [encode(row) for row in rows])
    tallied_months.forget(connection, {row[MONTH_AT] for row in responses if not row[EXCLUDED_AT]})

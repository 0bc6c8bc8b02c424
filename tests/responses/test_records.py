"""A response's row is built as a tuple (millions are, in an import): each value in the
place of its column."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from app.responses.records import RESPONSE_COLUMNS, ResponseRecord
from app.surveys.forms import FormCatalog, encode_codes


def test_each_value_of_a_response_row_is_in_its_columns_place(catalog: FormCatalog) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    submitted = datetime(2026, 10, 31, 23, 30, tzinfo=timezone(timedelta(hours=7)))
    stored = datetime(2026, 11, 1, tzinfo=UTC)
    record = ResponseRecord(
        id=uuid.UUID(int=1),
        submitted_at=submitted,
        unit_id=11,
        sector_code="land",
        channel="counter",
        form=form,
        source="counter",
        codes=(("overall", 4),),
        texts=(),
        content_sha256="c" * 64,
        procedure_code="1.001",
        counter_id=12,
        invitation_id=13,
        started_at=submitted - timedelta(minutes=2),
        language="en",
        flag_repeat_device=True,
        flag_too_fast=False,
        device_hash="d" * 64,
    )
    row = dict(zip(RESPONSE_COLUMNS, record.response_row(ZoneInfo("Asia/Ho_Chi_Minh"), stored),
                   strict=True))  # fmt: skip
    assert row == {
        "id": uuid.UUID(int=1),
        "submitted_at": submitted,
        "local_date": submitted.date(),
        "month": "2026-10",
        "started_at": submitted - timedelta(minutes=2),
        "unit_id": 11,
        "counter_id": 12,
        "invitation_id": 13,
        "sector_code": "land",
        "procedure_code": "1.001",
        "channel": "counter",
        "form_id": "counter-quick",
        "form_version": 1,
        "language": "en",
        "source": "counter",
        "answer_codes": encode_codes(form, (("overall", 4),)),
        "flag_repeat_device": True,
        "flag_too_fast": False,
        "flag_straight_line": False,
        "excluded": True,
        "device_hash": "d" * 64,
        "content_sha256": "c" * 64,
        "created_at": stored,
    }

"""Test data as plain functions."""

import csv
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.imports.responses import CONTEXT_COLUMNS
from app.keys.service import create_api_key
from app.models import Counter, Unit
from app.responses.records import ResponseRecord, insert_records
from app.surveys.forms import FormCatalog

CITY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The context columns of docs/contracts.md §2, then counter-quick's questions.
RESPONSE_HEADER = (
    *CONTEXT_COLUMNS,
    *("access", "procedure", "staff", "result", "feedback", "overall", "improve", "comment"),
)


def counter(
    session: Session, slug: str, code: str = "Q1", sector: str | None = None, unit: str = "10507"
) -> Counter:
    """A counter of ``unit`` (Phường Thành Đông by default) whose QR code leads to ``slug``."""
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit)).one()
    assert unit_id is not None
    made = Counter(unit_id=unit_id, code=code, name=f"Quầy {code}", slug=slug, sector_code=sector)
    session.add(made)
    session.flush()
    return made


def response_record(
    session: Session,
    catalog: FormCatalog,
    *,
    unit: str = "10507",
    sector: str = "land",
    codes: Iterable[tuple[str, int]] = (("overall", 5),),
    comment: str | None = None,
    at: str = "2026-10-15T10:00:00+07:00",
    channel: str = "counter",
    form: tuple[str, int] = ("counter-quick", 1),
) -> ResponseRecord:
    """One validated counter-quick response of ``unit`` and ``sector`` at ``at`` (city time)."""
    definition = catalog.get(*form)
    assert definition is not None
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit)).one()
    assert unit_id is not None
    return ResponseRecord(
        id=uuid.uuid4(),
        submitted_at=datetime.fromisoformat(at).astimezone(UTC),
        unit_id=unit_id,
        sector_code=sector,
        channel=channel,
        form=definition,
        source="import",
        codes=tuple(codes),
        texts=(("comment", comment),) if comment else (),
        content_sha256="0" * 64,
    )


def store(session: Session, records: Iterable[ResponseRecord]) -> None:
    """Records through the platform's one write path, in the test's transaction."""
    insert_records(session.connection(), list(records), CITY_ZONE)


def page_field(html: str, name: str) -> str:
    """A hidden field of a survey page as the server rendered it (the token, the id)."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def api_key(session: Session, role: str, units: Sequence[str] = ()) -> dict[str, str]:
    """Authorization headers for a new key of ``role``."""
    _, plain = create_api_key(session, role, list(units), "test", actor="test")
    return {"Authorization": f"Bearer {plain}"}


def response_row(**overrides: str) -> dict[str, str]:
    """A valid counter-quick paper response for a commune of Hải Phòng."""
    row = {
        "id": str(uuid.uuid4()),
        "submitted_at": "2026-10-05T09:14:02+07:00",
        "unit_code": "10507",
        "sector": "land",
        "channel": "paper",
        "procedure_code": "1.013980",
        "form_id": "counter-quick",
        "form_version": "1",
        "access": "4",
        "procedure": "5",
        "staff": "5",
        "result": "4",
        "feedback": "0",
        "overall": "5",
        "improve": "",
        "comment": "",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], header: Sequence[str] | None = None
) -> Path:
    columns = list(header if header is not None else rows[0].keys())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path

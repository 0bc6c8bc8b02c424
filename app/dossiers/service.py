"""Importing dossiers: all or nothing per file, idempotent by dossier, every error by line
(a JSON file's item) and field; then the months' volumes are derived from the dossiers and
the phones past their window erased."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from app import clock
from app.audit import record_action
from app.bulk import bulk_insert
from app.config import Settings
from app.db import writing
from app.dossiers.mapping import DossierMapping
from app.dossiers.records import DossierRecord, Reference, read_dossier
from app.dossiers.sources import csv_rows, json_rows
from app.imports.csvfile import CsvSource, ErrorLog
from app.imports.reference import VolumeRow, unit_ids_by_code, upsert_volumes
from app.models import Dossier, Procedure, Unit, metadata
from app.phones import phone_box

_CHUNK = 5000


@dataclass
class DossierImport:
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    months: list[str] = field(default_factory=list)  # whose volumes were derived again


@dataclass(frozen=True)
class PhoneWindow:
    """The secret the phones are encrypted with, and how long after a dossier is finished
    (or due, or received) its phone is kept for an invitation."""

    secret: str
    days: int


def reference_of(session: Session, secret: str, zone: ZoneInfo) -> Reference:
    procedures = dict(session.exec(select(Procedure.code, Procedure.sector_code)).all())
    return Reference(secret, zone, unit_ids_by_code(session), procedures)


def import_dossier_file(
    session: Session,
    name: str,
    content: BinaryIO,
    mapping: DossierMapping,
    settings: Settings,
    actor: str,
) -> DossierImport:
    """A CSV or (by its name) JSON file of dossiers, all or nothing."""
    errors = ErrorLog(name, settings.import_error_cap)
    if name.lower().endswith(".json"):
        rows = json_rows(content.read(), errors)
    else:
        rows = csv_rows(CsvSource(content, name), mapping, errors)
    secret = settings.resolved_secret_key()
    reference = reference_of(session, secret, settings.zone)
    window = PhoneWindow(secret, settings.invitation_window_days)
    return import_dossiers(session, rows, errors, mapping, reference, window, actor)


def import_dossiers(
    session: Session,
    rows: Iterable[tuple[int, Mapping[str, object]]],
    errors: ErrorLog,
    mapping: DossierMapping,
    reference: Reference,
    window: PhoneWindow,
    actor: str,
) -> DossierImport:
    """Read ``rows`` (line or item number, the vendor's fields); store them when none has
    an error."""
    found: dict[str, tuple[int, DossierRecord]] = {}
    result = DossierImport(errors.source)
    for line, values in rows:
        result.rows += 1
        record = read_dossier(values, mapping, reference, errors.at(line))
        if record is None:
            continue
        earlier = found.get(record.code_hash)
        if earlier is not None and earlier[1].content_sha256 != record.content_sha256:
            code_field = mapping.names("code")[0]
            errors.add(
                line, code_field, f"the same dossier is on line {earlier[0]} with other content"
            )
            continue
        found.setdefault(record.code_hash, (line, record))
    errors.raise_if_any()
    records = [record for _, record in found.values()]
    with writing(session):
        stored = _stored(session, [r.code_hash for r in records])
        new = [r for r in records if r.code_hash not in stored]
        changed = [
            r
            for r in records
            if r.code_hash in stored and stored[r.code_hash][0] != r.content_sha256
        ]
        months = {r.finished_month for r in new + changed}
        months |= {stored[r.code_hash][1] for r in changed}
        box = phone_box(window.secret)
        now = clock.now()
        table = metadata.tables["dossier"]
        # In slices: a month's file would otherwise hold a dict per dossier at once.
        for start in range(0, len(new), _CHUNK * 10):
            batch = [_row(r, box, window, now) for r in new[start : start + _CHUNK * 10]]
            bulk_insert(session.connection(), table, batch)
        for start in range(0, len(changed), _CHUNK):
            session.connection().execute(
                update(table).where(table.c.code_hash == bindparam("key")),
                [{**_row(r, box, window, now), "key": r.code_hash}
                 for r in changed[start : start + _CHUNK]],
            )  # fmt: skip
        result.months = sorted(m for m in months if m)
        derive_volumes(session, result.months)
        erase_expired_phones(session, now)
        result.inserted, result.updated = len(new), len(changed)
        result.unchanged = result.rows - result.inserted - result.updated
        if new or changed:
            record_action(session, actor, "import", "dossiers", errors.source, detail=repr(result))
    return result


def _stored(session: Session, hashes: list[str]) -> dict[str, tuple[str, str | None]]:
    """code hash → (content hash, finished month) of the dossiers already stored."""
    stored: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        for code, content, month in session.exec(
            select(Dossier.code_hash, Dossier.content_sha256, Dossier.finished_month).where(
                col(Dossier.code_hash).in_(chunk)
            )
        ):
            stored[code] = (content, month)
    return stored


def _row(
    record: DossierRecord, box: Fernet, window: PhoneWindow, now: datetime
) -> dict[str, object]:
    anchor = record.finished_at or record.due_at or record.received_at
    erase_at = anchor + timedelta(days=window.days)
    phone = record.phone if erase_at > now else None
    return {
        "code_hash": record.code_hash,
        "unit_id": record.unit_id,
        "procedure_code": record.procedure_code,
        "sector_code": record.sector_code,
        "channel": record.channel,
        "received_at": record.received_at,
        "due_at": record.due_at,
        "finished_at": record.finished_at,
        "finished_month": record.finished_month,
        "status": record.status,
        "applicant_kind": record.applicant_kind,
        "complaint": record.complaint,
        "disliked": record.disliked,
        "synthetic": record.synthetic,
        "phone_cipher": None if phone is None else box.encrypt(phone.encode()),
        "phone_erase_at": None if phone is None else erase_at,
        "content_sha256": record.content_sha256,
        "imported_at": now,
    }


def derive_volumes(session: Session, months: list[str]) -> None:
    """Each month's volumes (dossiers per unit and sector) from its finished dossiers."""
    if not months:
        return
    counts = session.exec(
        select(Dossier.finished_month, Unit.code, Dossier.sector_code, func.count())
        .join(Unit, col(Unit.id) == col(Dossier.unit_id))
        .where(col(Dossier.finished_month).in_(months))
        .group_by(col(Dossier.finished_month), col(Unit.code), col(Dossier.sector_code))
    ).all()
    rows = [VolumeRow(str(month), code, sector, int(n)) for month, code, sector, n in counts]
    upsert_volumes(session, rows, unit_ids_by_code(session))


def erase_expired_phones(session: Session, now: datetime) -> int:
    """Erase the phones whose invitation window has closed; how many."""
    erased = session.connection().execute(
        update(metadata.tables["dossier"])
        .where(col(Dossier.phone_erase_at) <= now)
        .values(phone_cipher=None, phone_erase_at=None)
    )
    return int(erased.rowcount or 0)

"""Imports of the reference tables: units, counters, procedures, volumes.

Each file is read whole before anything is written (these files are small: thousands of
rows), validated row by row, and written in one transaction, so a file with any error
leaves the database as it was. Re-importing a file updates rows in place and adds nothing.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from app.audit import record_action
from app.db import writes
from app.imports.csvfile import CsvSource, ErrorLog, Row
from app.models import UNIT_LEVELS, Counter, Procedure, Sector, Unit, Volume
from app.months import Month
from app.surveys.links import new_slug
from app.text import is_whole_number
from app.units.schemas import PHONE_PATTERN, URL_PATTERN

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    source: str
    rows: int
    inserted: int
    updated: int
    skipped: int = 0


def unit_ids_by_code(session: Session) -> dict[str, int]:
    return {code: uid for uid, code in session.exec(select(Unit.id, Unit.code)) if uid is not None}


def sector_codes(session: Session) -> set[str]:
    return set(session.exec(select(Sector.code)))


def _check_code(errors: ErrorLog, row: Row, column: str) -> str:
    value = row.values[column]
    if not value:
        errors.add(row.line, column, "required")
    elif not _CODE.match(value):
        errors.add(row.line, column, f"'{value}' is not a code (letters, digits, . _ -; ≤ 32)")
    return value


def _check_text(errors: ErrorLog, row: Row, column: str, limit: int = 300) -> str:
    value = row.values[column]
    if not value:
        errors.add(row.line, column, "required")
    elif len(value) > limit:
        errors.add(row.line, column, f"longer than {limit} characters")
    return value


def _check_choice(errors: ErrorLog, row: Row, column: str, allowed: tuple[str, ...]) -> str:
    value = row.values[column]
    if value not in allowed:
        errors.add(row.line, column, f"'{value}' is not one of {', '.join(allowed)}")
    return value


def _apply(row: object, **values: object) -> bool:
    """Set attributes; True when any of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _read(
    source: CsvSource,
    errors: ErrorLog,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> list[Row]:
    try:
        return list(source.rows(required, errors, optional=optional))
    finally:
        source.close()


def _finish(session: Session, errors: ErrorLog, actor: str, result: ImportResult) -> ImportResult:
    errors.raise_if_any()  # and ``writes`` rolls the file back
    if result.inserted or result.updated:
        record_action(session, actor, "import", result.kind, result.source, detail=repr(result))
    return result


@writes
def import_units(session: Session, source: CsvSource, cap: int, actor: str) -> ImportResult:
    """``code,name,level,parent_code`` (optional ``name_en``, ``confirmed``,
    ``feedback_phone``, ``feedback_url``)."""
    errors = ErrorLog(source.name, cap)
    optional = ("name_en", "confirmed", "feedback_phone", "feedback_url")
    rows = _read(source, errors, ("code", "name", "level", "parent_code"), optional)
    existing = {unit.code: unit for unit in session.exec(select(Unit))}
    in_file: dict[str, Row] = {}
    for row in rows:
        code = _check_code(errors, row, "code")
        _check_text(errors, row, "name")
        _check_choice(errors, row, "level", UNIT_LEVELS)
        if code in in_file:
            errors.add(row.line, "code", f"'{code}' already on line {in_file[code].line}")
        in_file[code] = row
        confirmed = row.values.get("confirmed", "yes")
        if confirmed not in ("yes", "no", ""):
            errors.add(row.line, "confirmed", "must be yes or no")
        for name, pattern, what in (
            ("feedback_phone", PHONE_PATTERN, "a phone number (digits, spaces, dots, dashes)"),
            ("feedback_url", URL_PATTERN, "an https:// address"),
        ):
            given = row.values.get(name, "")
            if given and re.fullmatch(pattern, given) is None:
                errors.add(row.line, name, f"must be {what}")
    for row in rows:
        parent = row.values["parent_code"]
        if parent and parent not in in_file and parent not in existing:
            errors.add(row.line, "parent_code", f"unknown unit '{parent}'")
        if parent and parent == row.values["code"]:
            errors.add(row.line, "parent_code", "a unit cannot be its own parent")
    if errors.total:
        return _finish(session, errors, actor, ImportResult("units", source.name, 0, 0, 0))
    added: set[str] = set()
    changed: set[str] = set()
    for row in rows:
        values = row.values
        fields: dict[str, object] = {
            "name": unicodedata.normalize("NFC", values["name"]),
            "level": values["level"],
        }
        # Optional columns absent from the file leave what is stored alone.
        if "name_en" in values:
            fields["name_en"] = values["name_en"] or None
        if "confirmed" in values:
            fields["confirmed"] = values["confirmed"] != "no"
        for name in ("feedback_phone", "feedback_url"):
            if name in values:
                fields[name] = values[name] or None
        unit = existing.get(values["code"])
        if unit is None:
            unit = Unit(code=values["code"], **fields)  # type: ignore[arg-type]
            existing[unit.code] = unit
            session.add(unit)
            added.add(unit.code)
        elif _apply(unit, **fields):
            changed.add(unit.code)
    session.flush()
    for row in rows:
        parent = row.values["parent_code"]
        unit = existing[row.values["code"]]
        if _apply(unit, parent_id=existing[parent].id if parent else None):
            changed.add(unit.code)
    inserted, updated = len(added), len(changed - added)
    result = ImportResult(
        "units", source.name, len(rows), inserted, updated, len(rows) - inserted - updated
    )
    return _finish(session, errors, actor, result)


@writes
def import_counters(session: Session, source: CsvSource, cap: int, actor: str) -> ImportResult:
    """``unit_code,code,name`` (optional ``sector`` for a single-sector counter)."""
    errors = ErrorLog(source.name, cap)
    rows = _read(source, errors, ("unit_code", "code", "name"), ("sector",))
    units = unit_ids_by_code(session)
    sectors = sector_codes(session)
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        unit_code = row.values["unit_code"]
        if unit_code not in units:
            errors.add(row.line, "unit_code", f"unknown unit '{unit_code}'")
        code = _check_code(errors, row, "code")
        _check_text(errors, row, "name")
        sector = row.values.get("sector", "")
        if sector and sector not in sectors:
            errors.add(row.line, "sector", f"unknown sector '{sector}'")
        key = (unit_code, code)
        if key in seen:
            errors.add(row.line, "code", f"counter already on line {seen[key]}")
        seen[key] = row.line
    if errors.total:
        return _finish(session, errors, actor, ImportResult("counters", source.name, 0, 0, 0))
    existing = {(c.unit_id, c.code): c for c in session.exec(select(Counter))}
    inserted = updated = 0
    for row in rows:
        unit_id = units[row.values["unit_code"]]
        counter = existing.get((unit_id, row.values["code"]))
        sector_code = row.values.get("sector") or None
        if counter is None:
            session.add(
                Counter(
                    unit_id=unit_id,
                    code=row.values["code"],
                    name=row.values["name"],
                    sector_code=sector_code,
                    slug=new_slug(),
                )
            )
            inserted += 1
        elif _apply(counter, name=row.values["name"], sector_code=sector_code):
            updated += 1
    result = ImportResult(
        "counters", source.name, len(rows), inserted, updated, len(rows) - inserted - updated
    )
    return _finish(session, errors, actor, result)


@writes
def import_procedures(session: Session, source: CsvSource, cap: int, actor: str) -> ImportResult:
    """``code,name,sector,unit_level``."""
    errors = ErrorLog(source.name, cap)
    rows = _read(source, errors, ("code", "name", "sector", "unit_level"))
    sectors = sector_codes(session)
    seen: dict[str, int] = {}
    for row in rows:
        code = _check_code(errors, row, "code")
        _check_text(errors, row, "name", limit=2000)
        if row.values["sector"] not in sectors:
            errors.add(row.line, "sector", f"unknown sector '{row.values['sector']}'")
        _check_choice(errors, row, "unit_level", UNIT_LEVELS)
        if code in seen:
            errors.add(row.line, "code", f"'{code}' already on line {seen[code]}")
        seen[code] = row.line
    if errors.total:
        return _finish(session, errors, actor, ImportResult("procedures", source.name, 0, 0, 0))
    inserted = updated = 0
    for row in rows:
        values = {
            "name": row.values["name"],
            "sector_code": row.values["sector"],
            "unit_level": row.values["unit_level"],
        }
        procedure = session.get(Procedure, row.values["code"])
        if procedure is None:
            session.add(Procedure(code=row.values["code"], **values))
            inserted += 1
        elif _apply(procedure, **values):
            updated += 1
    result = ImportResult(
        "procedures", source.name, len(rows), inserted, updated, len(rows) - inserted - updated
    )
    return _finish(session, errors, actor, result)


@dataclass(frozen=True, slots=True)
class VolumeRow:
    month: str
    unit_code: str
    sector: str
    dossiers: int


def check_volume(
    values: dict[str, str],
    report: Callable[[str, str], None],
    units: dict[str, int],
    sectors: set[str],
) -> VolumeRow | None:
    """Validate one volume record; problems go to ``report(column, message)``."""
    ok = True
    month: str | None = None
    try:
        month = str(Month.parse(values["month"]))
    except ValueError as exc:
        report("month", str(exc))
        ok = False
    if values["unit_code"] not in units:
        report("unit_code", f"unknown unit '{values['unit_code']}'")
        ok = False
    if values["sector"] not in sectors:
        report("sector", f"unknown sector '{values['sector']}'")
        ok = False
    raw = values["dossiers"]
    if not is_whole_number(raw):
        report("dossiers", f"'{raw}' is not a whole number ≥ 0")
        ok = False
    if not ok or month is None:
        return None
    return VolumeRow(month, values["unit_code"], values["sector"], int(raw))


def upsert_volumes(
    session: Session, rows: list[VolumeRow], units: dict[str, int]
) -> tuple[int, int]:
    """Set the dossiers of each (month, unit, sector); returns (inserted, updated)."""
    inserted = updated = 0
    for row in rows:
        key = (row.month, units[row.unit_code], row.sector)
        volume = session.get(Volume, key)
        if volume is None:
            session.add(
                Volume(month=key[0], unit_id=key[1], sector_code=key[2], dossiers=row.dossiers)
            )
            inserted += 1
        elif _apply(volume, dossiers=row.dossiers):
            updated += 1
    return inserted, updated


@writes
def import_volumes(session: Session, source: CsvSource, cap: int, actor: str) -> ImportResult:
    """``month,unit_code,sector,dossiers``."""
    errors = ErrorLog(source.name, cap)
    rows = _read(source, errors, ("month", "unit_code", "sector", "dossiers"))
    units = unit_ids_by_code(session)
    sectors = sector_codes(session)
    valid: list[VolumeRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        checked = check_volume(row.values, errors.at(row.line), units, sectors)
        if checked is None:
            continue
        key = (checked.month, checked.unit_code, checked.sector)
        if key in seen:
            errors.add(row.line, "month", f"the same cell is already on line {seen[key]}")
        seen[key] = row.line
        valid.append(checked)
    if errors.total:
        return _finish(session, errors, actor, ImportResult("volumes", source.name, 0, 0, 0))
    inserted, updated = upsert_volumes(session, valid, units)
    result = ImportResult(
        "volumes", source.name, len(rows), inserted, updated, len(rows) - inserted - updated
    )
    return _finish(session, errors, actor, result)

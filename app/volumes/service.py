"""Loading volumes from JSON records; CSV bodies go through the CSV importer."""

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from app.audit import record_action
from app.db import writes
from app.errors import FieldError, Invalid
from app.imports.reference import (
    ImportResult,
    VolumeRow,
    check_volume,
    sector_codes,
    unit_ids_by_code,
    upsert_volumes,
)


class VolumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str
    unit_code: str
    sector: str
    dossiers: int


@writes
def load_volumes(session: Session, items: list[VolumeIn], actor: str) -> ImportResult:
    """Set the dossiers of each cell, all or nothing; errors name the item and field."""
    units = unit_ids_by_code(session)
    sectors = sector_codes(session)
    errors: list[FieldError] = []
    valid: list[VolumeRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(items):
        values = item.model_dump()
        values["dossiers"] = str(item.dossiers)

        def report(column: str, message: str, index: int = index) -> None:
            errors.append(FieldError(f"[{index}].{column}", message))

        checked = check_volume(values, report, units, sectors)
        if checked is None:
            continue
        key = (checked.month, checked.unit_code, checked.sector)
        if key in seen:
            errors.append(FieldError(f"[{index}]", f"same cell as item {seen[key]}"))
        seen[key] = index
        valid.append(checked)
    if errors:
        raise Invalid("no volumes were stored", errors)
    inserted, updated = upsert_volumes(session, valid, units)
    result = ImportResult(
        "volumes", "api", len(items), inserted, updated, len(items) - inserted - updated
    )
    record_action(session, actor, "import", "volumes", "api", detail=repr(result))
    return result

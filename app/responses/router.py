"""HTTP route for exporting responses."""

from datetime import date
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.deps import CsvBom, Reader, SessionDep, SettingsDep
from app.errors import FieldError, Forbidden, Invalid
from app.months import OUTSIDE_YEARS, within_years
from app.responses.export import PAGE_DEFAULT, ExportFilter, export_csv, export_page
from app.surveys.deps import CatalogDep
from app.text import UTF8_BOM
from app.units.service import get_unit

router = APIRouter(prefix="/api/v1", tags=["responses"])


@router.get("/responses", response_model=None)
def list_responses(
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[date, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[date, Query(alias="to", description="last day, YYYY-MM-DD")],
    unit: str | None = None,
    sector: str | None = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    cursor: str | None = None,
    limit: int = PAGE_DEFAULT,
    bom: CsvBom = False,
) -> StreamingResponse | dict[str, Any]:
    """Responses of a period, comments masked: JSON pages (``next_cursor``) or streamed CSV."""
    period = (("from", date_from), ("to", date_to))
    errors = [
        FieldError(name, f"{OUTSIDE_YEARS}, not {day.year}")
        for name, day in period
        if not within_years(day)
    ]
    if not errors and date_from > date_to:
        errors.append(FieldError("to", "the period ends before it starts"))
    if errors:
        raise Invalid("invalid period", errors)
    unit_ids = principal.unit_ids if principal.role == "unit" else None
    if unit is not None:
        unit_id = get_unit(session, unit).id
        assert unit_id is not None
        if unit_ids is not None and unit_id not in unit_ids:
            raise Forbidden("this key may not read that unit")
        unit_ids = frozenset({unit_id})
    scope = ExportFilter(date_from, date_to, unit_ids, sector)
    if format == "csv":
        return StreamingResponse(
            chain([UTF8_BOM] if bom else [], export_csv(session, catalog, settings.zone, scope)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=responses.csv"},
        )
    return export_page(session, catalog, settings.zone, scope, cursor, limit)

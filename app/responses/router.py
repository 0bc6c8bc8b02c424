"""HTTP route for exporting responses."""

from datetime import date
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.deps import CsvBom, Reader, SessionDep, SettingsDep
from app.errors import Invalid
from app.months import period_errors
from app.responses.export import PAGE_DEFAULT, ExportFilter, export_csv, export_page
from app.surveys.deps import CatalogDep
from app.text import UTF8_BOM
from app.units.service import readable_units

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
    if errors := period_errors(date_from, date_to):
        raise Invalid("invalid period", errors)
    unit_ids = readable_units(session, principal, unit)
    scope = ExportFilter(date_from, date_to, unit_ids, sector)
    if format == "csv":
        return StreamingResponse(
            chain([UTF8_BOM] if bom else [], export_csv(session, catalog, settings.zone, scope)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=responses.csv"},
        )
    return export_page(session, catalog, settings.zone, scope, cursor, limit)

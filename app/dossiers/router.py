"""HTTP routes for dossiers: an import (JSON or CSV) and the Decision 766 figure."""

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.deps import Analyst, Reader, SessionDep, SettingsDep
from app.dossiers.feed import recent_pulls
from app.dossiers.handling import WHY_THEY_DIFFER, beside_survey, handling_by_unit
from app.dossiers.mapping import load_mapping
from app.dossiers.service import import_dossier_file
from app.dossiers.streams import streams
from app.errors import FieldError, Invalid
from app.months import Month
from app.stats.query import SatisfactionQuery
from app.stats.service import satisfaction
from app.surveys.deps import CatalogDep
from app.units.service import readable_units

router = APIRouter(prefix="/api/v1", tags=["dossiers"])


class DossierImportOut(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int
    months: list[str]


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string", "example": "MaHoSo,MaTTHC,…\n"}},
        },
    }
}


@router.post("/dossiers", openapi_extra=_BODY_DOC)
async def post_dossiers(
    request: Request, session: SessionDep, settings: SettingsDep, principal: Analyst
) -> DossierImportOut:
    """Dossiers in the fields the national portal uses (or the configured vendor mapping):
    a JSON list of objects or a CSV body; all or nothing, errors by line (a JSON item) and
    field; the months' volumes are derived from them."""
    body = await request.body()
    is_csv = request.headers.get("content-type", "").startswith("text/csv")
    name = "request.csv" if is_csv else "request.json"
    mapping = load_mapping(settings.dossier_mapping)
    result = await run_in_threadpool(
        import_dossier_file, session, name, io.BytesIO(body), mapping, settings, principal.actor
    )
    return DossierImportOut(rows=result.rows, inserted=result.inserted, updated=result.updated,
                            unchanged=result.unchanged, months=result.months)  # fmt: skip


def _month(text: str) -> Month:
    """The ``month`` parameter as a Month; Invalid naming it otherwise."""
    try:
        return Month.parse(text)
    except ValueError as problem:
        raise Invalid("invalid month", [FieldError("month", str(problem))]) from None


class HandlingRow(BaseModel):
    unit: str
    dossiers: int
    on_time: int
    complaints: int
    disliked: int
    handled_well: int
    rate: float
    survey_rate: float | None
    survey_n: int
    gap: float | None


class HandlingOut(BaseModel):
    month: str
    units: list[HandlingRow]
    why_they_differ: dict[str, str]


@router.get("/dossiers/handling")
def handling(
    session: SessionDep,
    catalog: CatalogDep,
    principal: Reader,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")],
    unit: Annotated[str | None, Query(max_length=32)] = None,
) -> HandlingOut:
    """Per unit, the Decision 766 figure of the month's finished dossiers (on time, no
    complaint, no dislike, over all) beside the unit's survey-weighted satisfaction."""
    asked = _month(month)
    unit_ids = readable_units(session, principal, unit)
    query = SatisfactionQuery(date_from=asked.first_day, date_to=asked.last_day, by=("unit",))
    survey = satisfaction(session, catalog, query, principal, units=unit_ids).rows
    rows = beside_survey(handling_by_unit(session, asked, unit_ids), survey)
    return HandlingOut(month=str(asked), units=[HandlingRow(**row) for row in rows],
                       why_they_differ=WHY_THEY_DIFFER)  # fmt: skip


@router.get("/dossiers/streams")
def sampled_and_counter_streams(
    session: SessionDep,
    catalog: CatalogDep,
    principal: Reader,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM")],
) -> dict[str, Any]:
    """The month's satisfaction from the random sample's answers and from those
    volunteered at counters and links, each a row of the analytics API (same weights),
    the gap between them (counter − sampled), and the sample's response rates per
    stratum."""
    return streams(session, catalog, _month(month), principal)


class DossierPullOut(BaseModel):
    source: str
    at: datetime
    outcome: str
    rows: int
    inserted: int
    updated: int
    detail: str | None


@router.get("/dossiers/pulls")
def pulls(
    session: SessionDep,
    principal: Analyst,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DossierPullOut]:
    """The dossier feed's latest files, newest first, each with its outcome: imported,
    rejected for its content (``detail``: the errors by line and field), or failed to be
    read (tried again at the next hourly run)."""
    return [DossierPullOut.model_validate(pull, from_attributes=True)
            for pull in recent_pulls(session, limit)]  # fmt: skip

"""HTTP routes for cases: a unit's people see their units' cases; admins see all."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.cases import service
from app.cases.schemas import CaseDetail, CaseSummary, NoteIn
from app.deps import Reader, RowId, SessionDep
from app.surveys.deps import CatalogDep

router = APIRouter(prefix="/api/v1", tags=["cases"])
STATUS_SETS = {
    "open": service.OPEN_STATUSES,
    "new": ("new",),
    "acknowledged": ("acknowledged",),
    "resolved": ("resolved",),
    "all": ("new", "acknowledged", "resolved"),
}


@router.get("/cases")
def list_cases(
    session: SessionDep,
    catalog: CatalogDep,
    principal: Reader,
    status: Annotated[Literal["open", "new", "acknowledged", "resolved", "all"], Query()] = "open",
    unit: Annotated[str | None, Query(max_length=32)] = None,
) -> list[CaseSummary]:
    """Cases oldest first with their age in hours (open ones unless ``status`` says)."""
    return service.list_cases(session, catalog, principal, STATUS_SETS[status], unit)


@router.get("/cases/{case_id}")
def get_case(
    case_id: RowId, session: SessionDep, catalog: CatalogDep, principal: Reader
) -> CaseDetail:
    """A case with the response's scores, its masked comment, the rules and its notes."""
    return service.get_case(session, catalog, principal, case_id)


@router.post("/cases/{case_id}/acknowledge")
def acknowledge(
    case_id: RowId, data: NoteIn, session: SessionDep, catalog: CatalogDep, principal: Reader
) -> CaseDetail:
    service.acknowledge(session, principal, case_id, data.note)
    return service.get_case(session, catalog, principal, case_id)


@router.post("/cases/{case_id}/resolve")
def resolve(
    case_id: RowId, data: NoteIn, session: SessionDep, catalog: CatalogDep, principal: Reader
) -> CaseDetail:
    service.resolve(session, principal, case_id, data.note)
    return service.get_case(session, catalog, principal, case_id)


@router.post("/cases/{case_id}/notes")
def add_note(
    case_id: RowId, data: NoteIn, session: SessionDep, catalog: CatalogDep, principal: Reader
) -> CaseDetail:
    service.add_note(session, principal, case_id, data.note)
    return service.get_case(session, catalog, principal, case_id)

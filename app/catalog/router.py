"""HTTP routes for sectors, procedures and targets."""

from fastapi import APIRouter, status

from app.catalog import service
from app.catalog.schemas import (
    ProcedureCreate,
    ProcedurePublic,
    ProcedureUpdate,
    SectorPublic,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
)
from app.deps import Admin, Reader, RowId, SessionDep

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/sectors")
def list_sectors(session: SessionDep, _: Reader) -> list[SectorPublic]:
    """Sectors with their Vietnamese and English names."""
    return service.list_sectors(session)


@router.get("/procedures")
def list_procedures(
    session: SessionDep, _: Reader, sector: str | None = None
) -> list[ProcedurePublic]:
    """The procedure catalogue, optionally of one sector."""
    return service.list_procedures(session, sector)


@router.post("/procedures", status_code=status.HTTP_201_CREATED)
def create_procedure(
    data: ProcedureCreate, session: SessionDep, principal: Admin
) -> ProcedurePublic:
    """Add a procedure by its national code."""
    return service.create_procedure(session, data, principal.actor)


@router.patch("/procedures/{code}")
def update_procedure(
    code: str, data: ProcedureUpdate, session: SessionDep, principal: Admin
) -> ProcedurePublic:
    """Change a procedure's name, sector or level."""
    return service.update_procedure(session, code, data, principal.actor)


@router.get("/targets")
def list_targets(session: SessionDep, _: Reader) -> list[TargetPublic]:
    """The plan's targets and each sector's target."""
    return service.list_targets(session)


@router.post("/targets", status_code=status.HTTP_201_CREATED)
def create_target(data: TargetCreate, session: SessionDep, principal: Admin) -> TargetPublic:
    """Add a target for an indicator (or a sector) over a span of years."""
    return service.create_target(session, data, principal.actor)


@router.patch("/targets/{target_id}")
def update_target(
    target_id: RowId, data: TargetUpdate, session: SessionDep, principal: Admin
) -> TargetPublic:
    """Change a target's threshold or years."""
    return service.update_target(session, target_id, data, principal.actor)

"""HTTP routes for units and counters."""

from fastapi import APIRouter, status

from app.deps import Admin, Reader, SessionDep, SettingsDep
from app.units import service
from app.units.schemas import (
    CounterCreate,
    CounterPublic,
    CounterUpdate,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["units"])


@router.get("/units")
def list_units(session: SessionDep, principal: Reader) -> list[UnitPublic]:
    """Units the key may read: all of them, or a unit key's own."""
    return service.list_units(session, principal)


@router.post("/units", status_code=status.HTTP_201_CREATED)
def create_unit(data: UnitCreate, session: SessionDep, principal: Admin) -> UnitPublic:
    """Add a unit."""
    return service.create_unit(session, data, principal.actor)


@router.patch("/units/{code}")
def update_unit(code: str, data: UnitUpdate, session: SessionDep, principal: Admin) -> UnitPublic:
    """Change a unit's name, level, parent or confirmation."""
    return service.update_unit(session, code, data, principal.actor)


@router.get("/counters")
def list_counters(
    session: SessionDep, settings: SettingsDep, principal: Reader, unit: str | None = None
) -> list[CounterPublic]:
    """Counters with their survey URLs, optionally of one unit."""
    return service.list_counters(session, principal, settings.public_base_url, unit)


@router.post("/counters", status_code=status.HTTP_201_CREATED)
def create_counter(
    data: CounterCreate, session: SessionDep, settings: SettingsDep, principal: Admin
) -> CounterPublic:
    """Add a counter to a unit; it gets a new random slug for its QR code."""
    return service.create_counter(session, data, principal.actor, settings.public_base_url)


@router.patch("/counters/{counter_id}")
def update_counter(
    counter_id: int,
    data: CounterUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: Admin,
) -> CounterPublic:
    """Rename a counter, fix its sector, or deactivate it."""
    return service.update_counter(session, counter_id, data, principal, settings.public_base_url)

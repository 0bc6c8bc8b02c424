"""Units and counters: listing within a principal's scope, creating, updating."""

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.audit import record_action
from app.db import writes
from app.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.models import Counter, Sector, Unit
from app.principals import Principal
from app.surveys.links import new_slug
from app.units.schemas import (
    CounterCreate,
    CounterPublic,
    CounterUpdate,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)


def _public_unit(unit: Unit, parent_code: str | None) -> UnitPublic:
    return UnitPublic(
        code=unit.code,
        name=unit.name,
        name_en=unit.name_en,
        level=unit.level,
        parent_code=parent_code,
        confirmed=unit.confirmed,
        feedback_phone=unit.feedback_phone,
        feedback_url=unit.feedback_url,
    )


def list_units(session: Session, principal: Principal) -> list[UnitPublic]:
    parent = aliased(Unit)
    query = (
        select(Unit, parent.code)
        .outerjoin(parent, col(Unit.parent_id) == parent.id)
        .order_by(col(Unit.code))
    )
    if principal.role == "unit":
        query = query.where(col(Unit.id).in_(principal.unit_ids))
    return [_public_unit(unit, parent_code) for unit, parent_code in session.exec(query)]


def get_unit(session: Session, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound(f"no unit with code {code}")
    return unit


def readable_units(
    session: Session, principal: Principal, unit_code: str | None
) -> frozenset[int] | None:
    """The units a request may read: the one it names (refused outside a unit key's own),
    else a unit key's own, else None (all)."""
    own = principal.unit_ids if principal.role == "unit" else None
    if unit_code is None:
        return own
    unit_id = get_unit(session, unit_code).id
    assert unit_id is not None  # stored
    if own is not None and unit_id not in own:
        raise Forbidden("this key may not read that unit")
    return frozenset({unit_id})


def _parent_id(session: Session, parent_code: str | None) -> int | None:
    if parent_code is None:
        return None
    parent = session.exec(select(Unit).where(Unit.code == parent_code)).first()
    if parent is None:
        raise Invalid("unknown parent", [FieldError("parent_code", f"no unit {parent_code}")])
    return parent.id


@writes
def create_unit(session: Session, data: UnitCreate, actor: str) -> UnitPublic:
    if session.exec(select(Unit).where(Unit.code == data.code)).first() is not None:
        raise Conflict(f"unit {data.code} exists", [FieldError("code", "already in use")])
    unit = Unit(
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        level=data.level,
        parent_id=_parent_id(session, data.parent_code),
        confirmed=data.confirmed,
        feedback_phone=data.feedback_phone,
        feedback_url=data.feedback_url,
    )
    session.add(unit)
    record_action(session, actor, "create", "unit", data.code)
    return _public_unit(unit, data.parent_code)


@writes
def update_unit(session: Session, code: str, data: UnitUpdate, actor: str) -> UnitPublic:
    unit = get_unit(session, code)
    changes = data.model_dump(exclude_unset=True)
    if "parent_code" in changes:
        if changes["parent_code"] == code:
            raise Invalid("bad parent", [FieldError("parent_code", "a unit cannot be its own")])
        unit.parent_id = _parent_id(session, changes.pop("parent_code"))
    for name, value in changes.items():
        if value is None and name not in ("name_en", "feedback_phone", "feedback_url"):
            raise Invalid("bad value", [FieldError(name, "cannot be null")])
        setattr(unit, name, value)
    session.add(unit)
    record_action(session, actor, "update", "unit", code, detail=data.model_dump_json())
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return _public_unit(unit, parent.code if parent else None)


def _public_counter(counter: Counter, unit_code: str, base_url: str) -> CounterPublic:
    assert counter.id is not None
    return CounterPublic(
        id=counter.id,
        unit_code=unit_code,
        code=counter.code,
        name=counter.name,
        sector=counter.sector_code,
        slug=counter.slug,
        url=f"{base_url}/s/{counter.slug}",
        active=counter.active,
    )


def list_counters(
    session: Session, principal: Principal, base_url: str, unit_code: str | None = None
) -> list[CounterPublic]:
    query = select(Counter, Unit.code).join(Unit, col(Unit.id) == col(Counter.unit_id))
    if unit_code is not None:
        query = query.where(Unit.code == unit_code)
    if principal.role == "unit":
        query = query.where(col(Unit.id).in_(principal.unit_ids))
    query = query.order_by(col(Unit.code), col(Counter.code))
    return [_public_counter(c, code, base_url) for c, code in session.exec(query)]


def _check_sector(session: Session, sector: str | None) -> None:
    if sector is not None and session.get(Sector, sector) is None:
        raise Invalid("unknown sector", [FieldError("sector", f"no sector {sector}")])


@writes
def create_counter(
    session: Session, data: CounterCreate, actor: str, base_url: str
) -> CounterPublic:
    unit = session.exec(select(Unit).where(Unit.code == data.unit_code)).first()
    if unit is None or unit.id is None:
        raise Invalid("unknown unit", [FieldError("unit_code", f"no unit {data.unit_code}")])
    _check_sector(session, data.sector)
    taken = session.exec(
        select(Counter).where(Counter.unit_id == unit.id, Counter.code == data.code)
    ).first()
    if taken is not None:
        raise Conflict("counter exists", [FieldError("code", "already used in this unit")])
    counter = Counter(
        unit_id=unit.id, code=data.code, name=data.name, sector_code=data.sector, slug=new_slug()
    )
    session.add(counter)
    record_action(session, actor, "create", "counter", f"{data.unit_code}/{data.code}")
    session.flush()  # the counter's id
    return _public_counter(counter, unit.code, base_url)


def get_counter(session: Session, counter_id: int, principal: Principal) -> tuple[Counter, Unit]:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"no counter {counter_id}")
    if not principal.can_read_unit(counter.unit_id):
        raise Forbidden("this key may not read that unit")
    unit = session.get(Unit, counter.unit_id)
    assert unit is not None
    return counter, unit


@writes
def update_counter(
    session: Session, counter_id: int, data: CounterUpdate, principal: Principal, base_url: str
) -> CounterPublic:
    counter, unit = get_counter(session, counter_id, principal)
    changes = data.model_dump(exclude_unset=True)
    if "sector" in changes:
        _check_sector(session, changes["sector"])
        counter.sector_code = changes.pop("sector")
    for name, value in changes.items():
        if value is None:
            raise Invalid("bad value", [FieldError(name, "cannot be null")])
        setattr(counter, name, value)
    session.add(counter)
    record_action(session, principal.actor, "update", "counter", str(counter_id))
    return _public_counter(counter, unit.code, base_url)

"""Sectors, procedures and targets."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import record_action
from app.catalog.schemas import (
    ProcedureCreate,
    ProcedurePublic,
    ProcedureUpdate,
    SectorPublic,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
)
from app.db import writes
from app.errors import Conflict, FieldError, Invalid, NotFound
from app.models import Procedure, Sector, Target


def list_sectors(session: Session) -> list[SectorPublic]:
    return [
        SectorPublic(code=s.code, name_vi=s.name_vi, name_en=s.name_en)
        for s in session.exec(select(Sector).order_by(col(Sector.code)))
    ]


def _check_sector(session: Session, code: str) -> None:
    if session.get(Sector, code) is None:
        raise Invalid("unknown sector", [FieldError("sector", f"no sector {code}")])


def _public_procedure(p: Procedure) -> ProcedurePublic:
    return ProcedurePublic(code=p.code, name=p.name, sector=p.sector_code, unit_level=p.unit_level)


def list_procedures(session: Session, sector: str | None = None) -> list[ProcedurePublic]:
    query = select(Procedure).order_by(col(Procedure.code))
    if sector is not None:
        query = query.where(Procedure.sector_code == sector)
    return [_public_procedure(p) for p in session.exec(query)]


@writes
def create_procedure(session: Session, data: ProcedureCreate, actor: str) -> ProcedurePublic:
    _check_sector(session, data.sector)
    if session.get(Procedure, data.code) is not None:
        raise Conflict(f"procedure {data.code} exists", [FieldError("code", "already in use")])
    procedure = Procedure(
        code=data.code, name=data.name, sector_code=data.sector, unit_level=data.unit_level
    )
    session.add(procedure)
    record_action(session, actor, "create", "procedure", data.code)
    return _public_procedure(procedure)


@writes
def update_procedure(
    session: Session, code: str, data: ProcedureUpdate, actor: str
) -> ProcedurePublic:
    procedure = session.get(Procedure, code)
    if procedure is None:
        raise NotFound(f"no procedure {code}")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("sector") is not None:
        _check_sector(session, changes["sector"])
        procedure.sector_code = changes.pop("sector")
    for name, value in changes.items():
        if value is None:
            raise Invalid("bad value", [FieldError(name, "cannot be null")])
        setattr(procedure, name, value)
    session.add(procedure)
    record_action(session, actor, "update", "procedure", code, detail=data.model_dump_json())
    return _public_procedure(procedure)


def _public_target(t: Target) -> TargetPublic:
    assert t.id is not None
    return TargetPublic(
        id=t.id,
        indicator=t.indicator,
        sector=t.sector_code,
        threshold=t.threshold,
        valid_from_year=t.valid_from_year,
        valid_to_year=t.valid_to_year,
    )


def list_targets(session: Session) -> list[TargetPublic]:
    query = select(Target).order_by(col(Target.indicator), col(Target.sector_code))
    return [_public_target(t) for t in session.exec(query)]


@writes
def create_target(session: Session, data: TargetCreate, actor: str) -> TargetPublic:
    if data.sector is not None:
        _check_sector(session, data.sector)
    target = Target(
        indicator=data.indicator,
        sector_code=data.sector,
        threshold=data.threshold,
        valid_from_year=data.valid_from_year,
        valid_to_year=data.valid_to_year,
    )
    session.add(target)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("a target for that indicator and first year exists") from exc
    record_action(session, actor, "create", "target", str(target.id), detail=data.model_dump_json())
    return _public_target(target)


@writes
def update_target(session: Session, target_id: int, data: TargetUpdate, actor: str) -> TargetPublic:
    target = session.get(Target, target_id)
    if target is None:
        raise NotFound(f"no target {target_id}")
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise Invalid("bad value", [FieldError(name, "cannot be null")])
        setattr(target, name, value)
    if target.valid_from_year > target.valid_to_year:
        raise Invalid("bad years", [FieldError("valid_to_year", "before valid_from_year")])
    session.add(target)
    record_action(session, actor, "update", "target", str(target_id), detail=data.model_dump_json())
    return _public_target(target)

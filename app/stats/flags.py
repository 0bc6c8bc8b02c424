"""Data-quality flags per counter: the share of a counter's responses that were flagged.

A counter whose share of excluded or start-unknown responses jumps above its peers is
where someone may be stuffing the box; the analyst sees it here before it moves a rate.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Integer, case, cast, func, select
from sqlmodel import Session, col

from app.models import Counter, Response, Unit
from app.principals import Principal


class CounterFlags(BaseModel):
    """One counter's responses in the period and how many carry each flag. Responses
    with no counter (paper, invitations) form one row per unit with no counter code."""

    unit_code: str
    unit_name: str
    counter_code: str | None
    counter_name: str | None
    responses: int
    too_fast: int
    start_unknown: int
    repeat_device: int
    straight_line: int
    excluded: int
    excluded_share: float
    start_unknown_share: float


FLAG_FIELDS = list(CounterFlags.model_fields)


def _count(condition: Any) -> Any:
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def counter_flags(
    session: Session, date_from: date, date_to: date, principal: Principal | None = None
) -> list[CounterFlags]:
    """Rows for the period, the highest share of excluded responses first."""
    query = (
        select(
            col(Unit.code),
            col(Unit.name),
            col(Counter.code),
            col(Counter.name),
            func.count(),
            _count(col(Response.flag_too_fast).is_(True)),
            _count(col(Response.flag_too_fast).is_(None)),
            _count(col(Response.flag_repeat_device).is_(True)),
            _count(col(Response.flag_straight_line).is_(True)),
            _count(col(Response.excluded).is_(True)),
        )
        .join(Unit, col(Unit.id) == col(Response.unit_id))
        .outerjoin(Counter, col(Counter.id) == col(Response.counter_id))
        .where(col(Response.local_date) >= date_from, col(Response.local_date) <= date_to)
        .group_by(col(Unit.code), col(Unit.name), col(Counter.code), col(Counter.name))
    )
    if principal is not None and principal.role == "unit":
        query = query.where(col(Response.unit_id).in_(principal.unit_ids))
    rows = []
    for (
        unit_code,
        unit_name,
        code,
        name,
        total,
        fast,
        unknown,
        repeat,
        straight,
        out,
    ) in session.execute(query).all():
        rows.append(
            CounterFlags(
                unit_code=unit_code, unit_name=unit_name, counter_code=code, counter_name=name,
                responses=total, too_fast=fast, start_unknown=unknown, repeat_device=repeat,
                straight_line=straight, excluded=out, excluded_share=round(out / total, 4),
                start_unknown_share=round(unknown / total, 4),
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (-r.excluded_share, -r.responses, r.unit_code, r.counter_code or ""))
    return rows

"""The two streams of a month side by side: the answers of the random sample and those
volunteered at counters and links, each estimated with the same weights (the month's
dossiers per unit and sector), their gap — how much self-selection moves the rate — and
the sample's response rates, stratum by stratum."""

from dataclasses import replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Invitation, SampleDraw, Unit
from app.months import Month
from app.principals import Principal
from app.stats.query import SatisfactionQuery
from app.stats.service import satisfaction
from app.surveys.forms import FormCatalog


def response_rates(
    session: Session, month: Month, unit_ids: frozenset[int] | None = None
) -> list[dict[str, Any]]:
    """Per unit × sector, the invitations the month's draws made and how many were
    answered."""
    query = (
        select(Unit.code, Invitation.sector_code, func.count(), func.count(col(Invitation.used_at)))
        .join(SampleDraw, col(SampleDraw.id) == col(Invitation.draw_id))
        .join(Unit, col(Unit.id) == col(Invitation.unit_id))
        .where(col(SampleDraw.drawn_on) >= month.first_day,
               col(SampleDraw.drawn_on) <= month.last_day)
        .group_by(col(Unit.code), col(Invitation.sector_code))
        .order_by(col(Unit.code), col(Invitation.sector_code))
    )  # fmt: skip
    if unit_ids is not None:
        query = query.where(col(Invitation.unit_id).in_(unit_ids))
    return [
        {"unit": unit, "sector": sector, "invited": invited, "answered": answered,
         "response_rate": answered / invited}
        for unit, sector, invited, answered in session.exec(query)
    ]  # fmt: skip


def streams(
    session: Session, catalog: FormCatalog, month: Month, principal: Principal | None = None
) -> dict[str, Any]:
    """The month's sampled and counter streams (overall satisfaction, the analytics
    API's defaults), the gap (counter − sampled) and the sample's response rates."""
    base = SatisfactionQuery(date_from=month.first_day, date_to=month.last_day)
    sampled = satisfaction(session, catalog, replace(base, stream="sampled"), principal).rows[0]
    counter = satisfaction(session, catalog, replace(base, stream="counter"), principal).rows[0]
    gap = (
        None
        if sampled["rate"] is None or counter["rate"] is None
        else counter["rate"] - sampled["rate"]
    )
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    rates = response_rates(session, month, unit_ids)
    invited = sum(row["invited"] for row in rates)
    answered = sum(row["answered"] for row in rates)
    return {
        "month": str(month),
        "sampled": sampled,
        "counter": counter,
        "gap": gap,
        "invited": invited,
        "answered": answered,
        "response_rate": answered / invited if invited else None,
        "strata": rates,
    }

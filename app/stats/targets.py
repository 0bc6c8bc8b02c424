"""The plan's indicators (docs/product.md) for a period, each read against its own target."""

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from app.principals import Principal
from app.stats.query import SatisfactionQuery
from app.stats.rows import TARGET_FIELDS
from app.stats.service import satisfaction
from app.surveys.forms import FormCatalog


@dataclass(frozen=True, slots=True)
class PlanIndicator:
    id: str
    indicator: str
    sectors: frozenset[str] | None = None
    channels: frozenset[str] | None = None


# docs/questionnaire.md, "Which answers measure the plan's indicators".
PLAN_INDICATORS = (
    PlanIndicator("online_service", "overall", channels=frozenset({"online"})),
    PlanIndicator("procedure_handling", "overall"),
    PlanIndicator(
        "land_construction_investment",
        "overall",
        sectors=frozenset({"land", "construction", "investment"}),
    ),
    PlanIndicator(
        "public_services_health_education", "overall", sectors=frozenset({"health", "education"})
    ),
    PlanIndicator("sipas", "sipas"),
)


def plan_targets(
    session: Session,
    catalog: FormCatalog,
    base: SatisfactionQuery,
    principal: Principal | None = None,
) -> list[dict[str, Any]]:
    """One row per plan indicator: its rate, interval and status against its target."""
    rows = []
    for item in PLAN_INDICATORS:
        query = replace(
            base,
            by=(),
            indicator=item.indicator,
            sectors=item.sectors,
            channels=item.channels,
            target_indicator=item.id,
        )
        found = satisfaction(session, catalog, query, principal).rows[0]
        rows.append(
            {
                "indicator": item.id,
                "measured_by": item.indicator,
                "sectors": sorted(item.sectors) if item.sectors else "all",
                "channels": sorted(item.channels) if item.channels else "all",
                **{name: found[name] for name in TARGET_FIELDS},
            }
        )
    return rows

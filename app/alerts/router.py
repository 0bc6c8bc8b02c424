"""HTTP routes for alert rules, units' alert contacts and the delivery log (admins)."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.alerts import rules
from app.alerts.delivery import retry_dead
from app.alerts.log import list_deliveries
from app.alerts.schemas import DeliveryOut, RuleActive, RuleCreated, RuleIn, RuleOut, UnitContacts
from app.deps import Admin, RowId, SessionDep, SettingsDep
from app.errors import NotFound
from app.units.service import get_unit

router = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.get("/alert-rules")
def list_rules(session: SessionDep, principal: Admin) -> list[RuleOut]:
    """Every rule, active or paused."""
    return [rules.rule_out(session, rule) for rule in rules.list_rules(session)]


@router.post("/alert-rules", status_code=status.HTTP_201_CREATED)
def create_rule(
    data: RuleIn, session: SessionDep, settings: SettingsDep, principal: Admin
) -> RuleCreated:
    """Save a rule. A rule without any condition is refused unless ``match_everything``
    confirms it; a webhook rule's signing ``secret`` is shown here only."""
    rule = rules.create_rule(session, data, principal.actor, settings.environment == "development")
    shown = rules.rule_out(session, rule)
    return RuleCreated(**shown.model_dump(), secret=rule.secret or None)


@router.patch("/alert-rules/{rule_id}")
def pause_or_resume(
    rule_id: RowId, data: RuleActive, session: SessionDep, principal: Admin
) -> RuleOut:
    """``{"active": false}`` pauses a rule, ``true`` resumes it."""
    return rules.rule_out(session, rules.set_active(session, rule_id, data.active, principal.actor))


@router.put("/units/{code}/alert-contacts")
def set_contacts(
    code: str, data: UnitContacts, session: SessionDep, principal: Admin
) -> UnitContacts:
    """Replace the e-mail addresses that receive the unit's alerts."""
    unit = get_unit(session, code)
    return UnitContacts(emails=rules.set_unit_contacts(session, unit, data.emails, principal.actor))


@router.get("/alert-deliveries")
def deliveries(
    session: SessionDep,
    principal: Admin,
    status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
) -> list[DeliveryOut]:
    """The delivery log, newest first (at most 200), with every try."""
    return list_deliveries(session, status)


@router.post("/alert-deliveries/{delivery_id}/retry")
def retry(delivery_id: uuid.UUID, session: SessionDep, principal: Admin) -> DeliveryOut:
    """Send a dead-lettered delivery again."""
    if retry_dead(session, delivery_id, principal.actor) is None:
        raise NotFound(f"no dead-lettered delivery {delivery_id}")
    return list_deliveries(session, delivery_id=delivery_id)[0]

"""Alert rules and unit contacts: made and changed by admins (API and dashboard),
validated here once for both, every change audited."""

import re
import secrets

import httpx
from sqlmodel import Session, col, delete, select

from app.alerts.conditions import matches_everything
from app.alerts.schemas import RuleIn, RuleOut
from app.audit import record_action
from app.db import writes
from app.errors import FieldError, Invalid, NotFound
from app.hosts import is_this_machine
from app.models import AlertRule, Sector, Unit, UnitContact

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
MATCHES_EVERYTHING = (
    "quy tắc không có điều kiện nào sẽ gửi cảnh báo cho mọi phản hồi trong phạm vi: "
    "chọn ít nhất một điều kiện, hoặc xác nhận (match_everything)"
)


def _email_errors(field: str, emails: list[str]) -> list[FieldError]:
    return [
        FieldError(f"{field}[{index}]", f"not an e-mail address: {email!r}")
        for index, email in enumerate(emails)
        if not EMAIL.match(email) or len(email) > 254
    ]


def webhook_url_error(url: str, development: bool) -> str | None:
    """Why ``url`` cannot receive webhooks, or None: https only, or http to this machine
    while developing."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "not a URL"
    if not parsed.host:
        return "the URL has no host"
    if parsed.scheme == "https":
        return None
    if parsed.scheme == "http" and development and is_this_machine(parsed.host):
        return None
    return "must be https (http only to this machine, in development)"


def _check(session: Session, data: RuleIn, development: bool) -> AlertRule:
    errors: list[FieldError] = []
    sector_code = unit_id = None
    if data.scope == "sector":
        if data.sector is None:
            errors.append(FieldError("sector", "a sector rule names its sector"))
        elif session.get(Sector, data.sector) is None:
            errors.append(FieldError("sector", f"unknown sector '{data.sector}'"))
        sector_code = data.sector
    elif data.scope == "unit":
        unit = session.exec(select(Unit).where(Unit.code == data.unit)).first()
        if unit is None:
            errors.append(FieldError("unit", f"unknown unit '{data.unit}'"))
        else:
            unit_id = unit.id
    target = ""
    if data.recipient == "email":
        if not data.emails:
            errors.append(FieldError("emails", "name at least one e-mail address"))
        errors.extend(_email_errors("emails", data.emails))
        target = ",".join(email.strip() for email in data.emails)
    elif data.recipient == "webhook":
        problem = "a webhook rule needs its URL" if not data.url else None
        problem = problem or webhook_url_error(data.url or "", development)
        if problem:
            errors.append(FieldError("url", problem))
        target = data.url or ""
    if (data.quiet_start is None) != (data.quiet_end is None):
        errors.append(FieldError("quiet_end", "quiet hours need both a start and an end"))
    elif data.quiet_start is not None and data.quiet_start == data.quiet_end:
        errors.append(FieldError("quiet_end", "quiet hours must not start and end together"))
    rule = AlertRule(
        name=data.name.strip(),
        scope=data.scope,
        sector_code=sector_code,
        unit_id=unit_id,
        overall_at_most=data.overall_at_most,
        element_dissatisfied=data.element_dissatisfied,
        misconduct=data.misconduct,
        has_comment=data.has_comment,
        not_flagged=data.not_flagged,
        recipient=data.recipient,
        target=target,
        digest=data.digest,
        quiet_start=data.quiet_start,
        quiet_end=data.quiet_end,
    )
    if matches_everything(rule) and not data.match_everything:
        errors.append(FieldError("conditions", MATCHES_EVERYTHING))
    if errors:
        raise Invalid("the rule was not saved", errors)
    return rule


def rule_out(session: Session, rule: AlertRule) -> RuleOut:
    assert rule.id is not None  # stored
    unit = session.get(Unit, rule.unit_id) if rule.unit_id is not None else None
    return RuleOut(
        id=rule.id,
        name=rule.name,
        scope=rule.scope,
        sector=rule.sector_code,
        unit=unit.code if unit else None,
        overall_at_most=rule.overall_at_most,
        element_dissatisfied=rule.element_dissatisfied,
        misconduct=rule.misconduct,
        has_comment=rule.has_comment,
        not_flagged=rule.not_flagged,
        recipient=rule.recipient,
        emails=[e for e in rule.target.split(",") if e] if rule.recipient == "email" else [],
        url=rule.target if rule.recipient == "webhook" else None,
        digest=rule.digest,
        quiet_start=rule.quiet_start,
        quiet_end=rule.quiet_end,
        active=rule.active,
        created_at=rule.created_at,
        created_by=rule.created_by,
    )


@writes
def create_rule(session: Session, data: RuleIn, actor: str, development: bool) -> AlertRule:
    """Save a rule; a webhook rule gets its signing secret."""
    rule = _check(session, data, development)
    rule.created_by = actor
    if rule.recipient == "webhook":
        rule.secret = secrets.token_urlsafe(32)
    session.add(rule)
    session.flush()
    record_action(session, actor, "create", "alert_rule", str(rule.id), rule.name)
    return rule


def list_rules(session: Session) -> list[AlertRule]:
    return list(session.exec(select(AlertRule).order_by(col(AlertRule.id))).all())


def get_rule(session: Session, rule_id: int) -> AlertRule:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound(f"no alert rule {rule_id}")
    return rule


@writes
def set_active(session: Session, rule_id: int, active: bool, actor: str) -> AlertRule:
    """Pause or resume a rule (a rule is kept: its alerts and deliveries name it)."""
    rule = get_rule(session, rule_id)
    rule.active = active
    session.add(rule)
    record_action(session, actor, "resume" if active else "pause", "alert_rule", str(rule_id))
    return rule


def unit_contacts(session: Session, unit_id: int) -> list[str]:
    return list(
        session.exec(
            select(UnitContact.email)
            .where(UnitContact.unit_id == unit_id)
            .order_by(col(UnitContact.email))
        ).all()
    )


@writes
def set_unit_contacts(session: Session, unit: Unit, emails: list[str], actor: str) -> list[str]:
    """Replace the addresses that receive ``unit``'s alerts."""
    cleaned = sorted({email.strip().lower() for email in emails if email.strip()})
    if errors := _email_errors("emails", cleaned):
        raise Invalid("the contacts were not saved", errors)
    session.exec(delete(UnitContact).where(col(UnitContact.unit_id) == unit.id))
    assert unit.id is not None  # stored
    session.add_all(UnitContact(unit_id=unit.id, email=email) for email in cleaned)
    record_action(session, actor, "set_contacts", "unit", unit.code, ", ".join(cleaned))
    return cleaned

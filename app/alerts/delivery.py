"""Sending what is due: alerts grouped into deliveries, each delivery tried until a
receiver takes it or it is dead-lettered, every try logged.

A delivery is fixed when it is planned (its alerts, its id), so a retry sends the same
message under the same idempotency key: a receiver that took a try whose answer was lost
can tell the repeat. Two workers (``sipas serve`` and a cron ``sipas alerts run``) never
send the same delivery at once: each claims what it sends for a lease.
"""

import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Connection, Engine, or_, update
from sqlmodel import Session, col, select

from app import clock
from app.alerts.messages import build_message
from app.alerts.rules import unit_contacts
from app.alerts.senders import Outcome, post_webhook, send_email
from app.audit import record_action
from app.config import Settings
from app.db import writing
from app.models import Alert, AlertDelivery, AlertRule, DeliveryAttempt
from app.retry import backoff
from app.surveys.forms import FormCatalog

log = logging.getLogger("sipas.alerts")

# A claim on the k-th delivery of a batch lasts as long as sending the k before it and it
# may take (each up to the timeout), and this margin: a worker killed mid-send leaves
# claims that lapse soon, and a live worker's never lapse under it.
CLAIM_MARGIN = timedelta(seconds=30)
# Deliveries sent per claim: a slow receiver holds up at most this many.
CLAIM_BATCH = 50
_ERROR_LIMIT = 2000
NO_CONTACTS = "the unit has no alert contacts (dashboard: Cảnh báo → Địa chỉ nhận của đơn vị)"


@dataclass
class RunSummary:
    planned: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


def _anything_due(session: Session, now: datetime) -> bool:
    alert = select(Alert.id).where(col(Alert.delivery_id).is_(None), col(Alert.due_at) <= now)
    delivery = select(AlertDelivery.id).where(
        AlertDelivery.status == "pending", col(AlertDelivery.next_attempt_at) <= now
    )
    due = session.exec(alert.limit(1)).first() or session.exec(delivery.limit(1)).first()
    session.rollback()  # end the read before any write
    return due is not None


def plan_deliveries(session: Session, now: datetime) -> int:
    """Group the due alerts not yet in a delivery: one delivery per rule (per unit when the
    rule writes to each unit's contacts). Returns how many deliveries were made."""
    with writing(session):
        rows = session.exec(
            select(Alert, AlertRule.recipient)
            .join(AlertRule, col(AlertRule.id) == col(Alert.rule_id))
            .where(col(Alert.delivery_id).is_(None), col(Alert.due_at) <= now)
            .with_for_update(skip_locked=True, of=Alert)  # PostgreSQL: one planner per alert
        ).all()
        groups: dict[tuple[int, int | None], list[Alert]] = defaultdict(list)
        for alert, recipient in rows:
            groups[(alert.rule_id, alert.unit_id if recipient == "unit" else None)].append(alert)
        for (rule_id, unit_id), alerts in groups.items():
            delivery = AlertDelivery(
                id=uuid.uuid4(),
                rule_id=rule_id,
                unit_id=unit_id,
                created_at=now,
                next_attempt_at=now,
            )
            session.add(delivery)
            session.flush()
            for alert in alerts:
                alert.delivery_id = delivery.id
                session.add(alert)
    return len(groups)


def claim_due(
    session: Session, now: datetime, timeout: timedelta, limit: int = CLAIM_BATCH
) -> list[uuid.UUID]:
    """Take the deliveries due at ``now`` that no live claim holds, to send in order."""
    with writing(session):
        ids = list(
            session.exec(
                select(AlertDelivery.id)
                .where(
                    AlertDelivery.status == "pending",
                    col(AlertDelivery.next_attempt_at) <= now,
                    or_(
                        col(AlertDelivery.claimed_until).is_(None),
                        col(AlertDelivery.claimed_until) < now,
                    ),
                )
                .order_by(col(AlertDelivery.next_attempt_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
        )
        for position, delivery_id in enumerate(ids, start=1):
            session.execute(
                update(AlertDelivery)
                .where(col(AlertDelivery.id) == delivery_id)
                .values(claimed_until=now + timeout * position + CLAIM_MARGIN)
            )
    return ids


def _recipients(session: Session, rule: AlertRule, delivery: AlertDelivery) -> list[str]:
    if rule.recipient == "email":
        return [address for address in rule.target.split(",") if address]
    assert delivery.unit_id is not None  # planned per unit
    return unit_contacts(session, delivery.unit_id)


def _send(
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    client: httpx.Client,
    delivery: AlertDelivery,
) -> Outcome:
    rule = session.get(AlertRule, delivery.rule_id)
    assert rule is not None  # a foreign key
    message = build_message(
        session, catalog, delivery, rule, settings.public_base_url, settings.zone
    )
    key = str(delivery.id)
    if rule.recipient == "webhook":
        sent_at = int(clock.now().timestamp())
        return post_webhook(client, rule.target, rule.secret, key, message.payload, sent_at)
    recipients = _recipients(session, rule, delivery)
    if not recipients:
        return Outcome(
            False, 0, error="the unit has no alert contacts (Bảng điều khiển → Cảnh báo)"
        )
    return send_email(settings, recipients, message.subject, message.text, key)


def _record(
    session: Session,
    delivery_id: uuid.UUID,
    outcome: Outcome,
    settings: Settings,
    rng: random.Random,
) -> str:
    """Log the try and move the delivery on; its new status."""
    now = clock.now()
    with writing(session):
        delivery = session.get(AlertDelivery, delivery_id)
        assert delivery is not None  # claimed by this worker
        session.add(
            DeliveryAttempt(
                delivery_id=delivery_id,
                at=now,
                ok=outcome.ok,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=None if outcome.error is None else outcome.error[:_ERROR_LIMIT],
            )
        )
        delivery.attempts += 1
        delivery.claimed_until = None
        delivery.last_error = None if outcome.error is None else outcome.error[:_ERROR_LIMIT]
        if outcome.ok:
            delivery.status = "delivered"
            delivery.delivered_at = now
        elif delivery.attempts >= settings.alert_max_attempts:
            delivery.status = "dead"
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts, rng)
        session.add(delivery)
        return delivery.status


def run_alerts(
    bind: Engine | Connection,
    catalog: FormCatalog,
    settings: Settings,
    rng: random.Random | None = None,
) -> RunSummary:
    """One pass: plan what is due, then send every due delivery once. ``bind`` is the
    engine, or a connection whose transaction the pass joins (the tests')."""
    rng = rng or random.Random()  # noqa: S311  # jitter spreads retries; no secret here
    summary = RunSummary()
    with (
        Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint") as session,
        httpx.Client(timeout=settings.alert_timeout_seconds, follow_redirects=False) as client,
    ):
        if not _anything_due(session, clock.now()):
            return summary  # no write lock taken when there is nothing to do
        summary.planned = plan_deliveries(session, clock.now())
        timeout = timedelta(seconds=settings.alert_timeout_seconds)
        while ids := claim_due(session, clock.now(), timeout):
            for delivery_id in ids:
                delivery = session.get(AlertDelivery, delivery_id)
                assert delivery is not None  # claimed
                try:
                    outcome = _send(session, catalog, settings, client, delivery)
                except Exception as problem:  # a bug must not stop the other deliveries
                    log.exception("delivery %s failed to send", delivery_id)
                    outcome = Outcome(False, 0, error=f"{type(problem).__name__}: {problem}")
                session.rollback()  # end the read: the try is recorded in its own transaction
                status = _record(session, delivery_id, outcome, settings, rng)
                if status == "delivered":
                    summary.delivered += 1
                elif status == "dead":
                    summary.dead += 1
                    log.warning("delivery %s is dead-lettered: %s", delivery_id, outcome.error)
                else:
                    summary.retrying += 1
            if len(ids) < CLAIM_BATCH:
                break
    return summary


def retry_dead(session: Session, delivery_id: uuid.UUID, actor: str) -> AlertDelivery | None:
    """Send a dead-lettered delivery again, from its first try's backoff; None if there is
    no such dead delivery."""
    with writing(session):
        delivery = session.get(AlertDelivery, delivery_id)
        if delivery is None or delivery.status != "dead":
            return None
        delivery.status = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = clock.now()
        delivery.claimed_until = None
        session.add(delivery)
        record_action(session, actor, "retry", "alert_delivery", str(delivery_id))
    return delivery

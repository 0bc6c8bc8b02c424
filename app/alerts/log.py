"""The delivery log: each delivery with its tries, newest first, for admins to see what
left, what waits and what was dead-lettered."""

import uuid
from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.alerts.schemas import AttemptOut, DeliveryOut
from app.models import Alert, AlertDelivery, AlertRule, DeliveryAttempt, Unit

LOG_LIMIT = 200


def list_deliveries(
    session: Session,
    status: str | None = None,
    limit: int = LOG_LIMIT,
    delivery_id: uuid.UUID | None = None,
) -> list[DeliveryOut]:
    query = (
        select(AlertDelivery, AlertRule.name, Unit.code)
        .join(AlertRule, col(AlertRule.id) == col(AlertDelivery.rule_id))
        .outerjoin(Unit, col(Unit.id) == col(AlertDelivery.unit_id))
        .order_by(col(AlertDelivery.created_at).desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(AlertDelivery.status == status)
    if delivery_id is not None:
        query = query.where(AlertDelivery.id == delivery_id)
    rows = session.exec(query).all()
    ids = [delivery.id for delivery, _, _ in rows]
    counts: dict[uuid.UUID, int] = dict(
        session.exec(  # type: ignore[arg-type]  # delivery_id is not NULL where it is in ids
            select(Alert.delivery_id, func.count())
            .where(col(Alert.delivery_id).in_(ids))
            .group_by(col(Alert.delivery_id))
        ).all()
    )
    tries: dict[uuid.UUID, list[AttemptOut]] = defaultdict(list)
    for attempt in session.exec(
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.delivery_id).in_(ids))
        .order_by(col(DeliveryAttempt.id))
    ):
        tries[attempt.delivery_id].append(
            AttemptOut(
                at=attempt.at,
                ok=attempt.ok,
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
                error=attempt.error,
            )
        )
    return [
        DeliveryOut(
            id=str(delivery.id),
            rule_id=delivery.rule_id,
            rule_name=rule_name,
            unit=unit_code,
            status=delivery.status,
            alerts=counts.get(delivery.id, 0),
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            last_error=delivery.last_error,
            log=tries[delivery.id],
        )
        for delivery, rule_name, unit_code in rows
    ]

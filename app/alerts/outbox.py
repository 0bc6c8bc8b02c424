"""The transactional outbox: a response that matches a rule writes its alerts and opens
its case in the response's own transaction, so a stored response never loses its alert
and an alert never names a response that was rolled back."""

import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app import clock
from app.alerts.conditions import due_at, facts_of, matches
from app.models import Alert, AlertRule, FeedbackCase
from app.responses.records import ResponseRecord


def raise_alerts(
    session: Session, record: ResponseRecord, zone: ZoneInfo, rules: Sequence[AlertRule]
) -> FeedbackCase | None:
    """Add the alerts ``record`` raises under the active ``rules`` (the reference copy's),
    and its case, to the caller's write transaction; the case, or None when none matches."""
    if not rules:
        return None
    facts = facts_of(
        record.form,
        dict(record.codes),
        unit_id=record.unit_id,
        sector_code=record.sector_code,
        has_comment=any(text.strip() for _, text in record.texts),
        flagged=record.excluded,
    )
    matched = [rule for rule in rules if matches(rule, facts)]
    if not matched:
        return None
    now = clock.now()
    case = FeedbackCase(response_id=record.id, unit_id=record.unit_id, opened_at=now)
    session.add(case)
    session.flush()
    assert case.id is not None  # flushed
    for rule in matched:
        assert rule.id is not None  # stored
        session.add(
            Alert(
                id=uuid.uuid4(),
                rule_id=rule.id,
                response_id=record.id,
                case_id=case.id,
                unit_id=record.unit_id,
                created_at=now,
                due_at=due_at(rule, now, zone),
            )
        )
    return case

"""What the alert tests share: an admin's key and a counter of ward 10507."""

import pytest
from sqlmodel import Session, select

from app.models import Counter, Unit
from tests.alerts.builders import COUNTER_SLUG
from tests.factories import api_key


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return api_key(session, "admin")


@pytest.fixture
def counter(session: Session) -> Counter:
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    found = Counter(unit_id=unit_id, code="Q9", name="Quầy 9", slug=COUNTER_SLUG)
    session.add(found)
    session.flush()
    return found

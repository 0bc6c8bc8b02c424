"""Bodies the alert tests send, and one pass of the worker in the test's transaction."""

import random
import uuid
from typing import Any

from sqlalchemy import Connection

from app.alerts.delivery import RunSummary, run_alerts
from app.config import Settings
from app.surveys.forms import FormCatalog

COUNTER_SLUG = "quay9-alert"
COMMENT = "Cán bộ hẹn 3 lần, gọi 0912 345 678 không ai nghe"


def answers(overall: int, **more: Any) -> dict[str, Any]:
    """A quick-form response at the counter, with a comment that names a phone number."""
    return {
        "id": str(uuid.uuid4()),
        "slug": COUNTER_SLUG,
        "form_id": "counter-quick",
        "form_version": 1,
        "sector": "land",
        "answers": {"overall": overall, "staff": overall, "comment": COMMENT, **more},
    }


def rule(**fields: Any) -> dict[str, Any]:
    """A rule for overall 1 or 2, to the unit's contacts unless ``fields`` say otherwise."""
    return {"name": "Rất không hài lòng", "overall_at_most": 2, "recipient": "unit", **fields}


def deliver(connection: Connection, catalog: FormCatalog, settings: Settings) -> RunSummary:
    """One pass of the worker, in the test's transaction, with a seeded jitter."""
    return run_alerts(connection, catalog, settings, rng=random.Random(7))

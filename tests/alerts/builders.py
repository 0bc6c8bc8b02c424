"""Bodies the alert tests send, and one pass of the worker in the test's transaction."""

import random
import uuid
from typing import Any

import httpx
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


UNIT_MAILBOX = "motcua@thanhdong.haiphong.gov.vn"


def hook_rule(client: httpx.Client, admin: dict[str, str], url: str) -> str:
    """A rule for overall 1 or 2 to the webhook at ``url``; its signing secret."""
    made = client.post("/api/v1/alert-rules", json=rule(recipient="webhook", url=url),
                       headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    secret: str = made.json()["secret"]
    return secret


def mail_rule(client: httpx.Client, admin: dict[str, str]) -> None:
    """A rule for overall 1 or 2 to ward 10507's mailbox."""
    contacts = {"emails": [UNIT_MAILBOX]}
    assert client.put("/api/v1/units/10507/alert-contacts", json=contacts,
                      headers=admin).status_code == 200  # fmt: skip
    assert client.post("/api/v1/alert-rules", json=rule(), headers=admin).status_code == 201

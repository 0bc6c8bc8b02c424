"""Closing the loop: a dissatisfied response reaches its unit within a minute, by a signed
webhook and by e-mail over a real SMTP server, never lost and never doubled."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, func
from sqlmodel import Session, select

from app.alerts.conditions import due_at
from app.alerts.delivery import RunSummary
from app.clock import FixedClock
from app.config import Settings
from app.models import Alert, AlertDelivery, AlertRule, Counter, DeliveryAttempt, FeedbackCase
from app.surveys.forms import FormCatalog
from bench.common import free_port
from tests.alerts.builders import UNIT_MAILBOX, answers, deliver, hook_rule, mail_rule, rule
from tests.alerts.receivers import WebhookReceiver, smtp_server
from tests.conftest import CITY
from tests.factories import api_key


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_rule_that_matches_everything_warns_before_it_is_saved(
    client: httpx.Client, admin: dict[str, str]
) -> None:
    bare = {"name": "Mọi phản hồi", "recipient": "email", "emails": ["qa@haiphong.gov.vn"]}
    refused = client.post("/api/v1/alert-rules", json=bare, headers=admin)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["conditions"]
    confirmed = {**bare, "match_everything": True}
    assert client.post("/api/v1/alert-rules", json=confirmed, headers=admin).status_code == 201


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://tiepnhan.haiphong.gov.vn/sipas", 201),
        ("http://127.0.0.1:9000/hook", 201),  # this machine, while developing
        ("http://tiepnhan.haiphong.gov.vn/sipas", 422),
        ("ftp://tiepnhan.haiphong.gov.vn/sipas", 422),
        ("not a url", 422),
    ],
)
def test_a_webhook_is_https(
    client: httpx.Client, admin: dict[str, str], url: str, status: int
) -> None:
    answer = client.post(
        "/api/v1/alert-rules", json=rule(recipient="webhook", url=url), headers=admin
    )
    assert answer.status_code == status, answer.text
    if status == 201:
        assert len(answer.json()["secret"]) >= 32  # shown once …
        listed = client.get("/api/v1/alert-rules", headers=admin).json()
        assert "secret" not in listed[0]  # … and never again
    else:
        assert [e["field"] for e in answer.json()["errors"]] == ["url"]


def test_a_dissatisfied_response_opens_one_case_with_its_alerts_in_its_own_transaction(
    client: httpx.Client, session: Session, admin: dict[str, str], counter: Counter
) -> None:
    client.post("/api/v1/alert-rules", json=rule(), headers=admin)
    client.post("/api/v1/alert-rules", json=rule(name="Phiền hà", overall_at_most=None,
                element_dissatisfied=True), headers=admin)  # fmt: skip
    unhappy = answers(1)
    assert client.post("/api/v1/responses", json=unhappy).status_code == 201
    assert client.post("/api/v1/responses", json=unhappy).status_code == 200  # a retry
    assert client.post("/api/v1/responses", json=answers(5)).status_code == 201
    refused = answers(1, staff=9)
    assert client.post("/api/v1/responses", json=refused).status_code == 422
    assert count(session, FeedbackCase) == 1
    assert count(session, Alert) == 2  # one per rule, for the one response
    case = session.exec(select(FeedbackCase)).one()
    assert (case.unit_id, case.status, str(case.response_id)) == (
        counter.unit_id, "new", unhappy["id"],
    )  # fmt: skip


def test_an_alert_reaches_the_units_mailbox_and_a_signed_webhook_once(
    client: httpx.Client,
    connection: Connection,
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    admin: dict[str, str],
    counter: Counter,
    frozen_clock: FixedClock,
) -> None:
    hook = WebhookReceiver(now=lambda: frozen_clock.now().timestamp())
    with smtp_server() as (smtp_port, mails), hook.serving(free_port()) as url:
        mail_rule(client, admin)
        hook.secret = hook_rule(client, admin, url)
        sent = answers(1)
        assert client.post("/api/v1/responses", json=sent).status_code == 201
        frozen_clock.advance(timedelta(seconds=15))  # the worker's next turn
        mailing = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port})
        summary = deliver(connection, catalog, mailing)
        assert (summary.planned, summary.delivered, summary.dead) == (2, 2, 0)
        assert deliver(connection, catalog, mailing) == RunSummary()  # nothing twice

    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == UNIT_MAILBOX
    assert "phản hồi cần xử lý" in str(mail["Subject"])
    text = mail.get_content()
    assert "Rất không hài lòng" in text
    assert "/dashboard/cases/" in text
    assert len(hook.received) == 1
    got = hook.received[0]
    assert got.signed
    payload = got.payload
    assert got.headers["Idempotency-Key"] == payload["delivery_id"]
    (item,) = payload["alerts"]
    assert (item["overall"], item["unit"]["code"]) == (1, "10507")
    assert item["counter"] == {"code": "Q9", "name": "Quầy 9"}
    assert item["has_comment"] is True
    assert item["case_url"].startswith("https://khaosat.example.vn/dashboard/cases/")
    # The citizen's words never leave, masked or not.
    for told in (str(payload), text):
        assert "0912" not in told
        assert "hẹn 3 lần" not in told


def test_with_the_receiver_down_five_minutes_the_alert_arrives_once_after(
    client: httpx.Client,
    connection: Connection,
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    admin: dict[str, str],
    counter: Counter,
    frozen_clock: FixedClock,
) -> None:
    port = free_port()
    hook = WebhookReceiver(now=lambda: frozen_clock.now().timestamp())
    hook.secret = hook_rule(client, admin, f"http://127.0.0.1:{port}/hook")
    client.post("/api/v1/responses", json=answers(1))
    back_at = frozen_clock.now() + timedelta(minutes=5)
    while frozen_clock.now() < back_at:  # nothing listens: every try is refused
        assert deliver(connection, catalog, settings).delivered == 0
        frozen_clock.advance(timedelta(seconds=15))
    failed = count(session, DeliveryAttempt)
    assert failed >= 3
    with hook.serving(port):
        while not hook.received:
            deliver(connection, catalog, settings)
            frozen_clock.advance(timedelta(seconds=15))
            assert frozen_clock.now() < back_at + timedelta(minutes=10)
        for _ in range(20):  # and never again
            deliver(connection, catalog, settings)
            frozen_clock.advance(timedelta(minutes=1))
    assert [got.signed for got in hook.received] == [True]
    delivery = session.exec(select(AlertDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("delivered", failed + 1)


@pytest.mark.parametrize("mode", ["error", "redirect", "garbage", "slow"])
def test_a_bad_receiver_is_retried_then_dead_lettered_and_retried_by_hand(
    client: httpx.Client,
    connection: Connection,
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    admin: dict[str, str],
    counter: Counter,
    frozen_clock: FixedClock,
    mode: str,
) -> None:
    impatient = settings.model_copy(update={"alert_max_attempts": 3, "alert_timeout_seconds": 0.3})
    hook = WebhookReceiver(now=lambda: frozen_clock.now().timestamp(), mode=mode, delay=1.0)
    with hook.serving(free_port()) as url:
        hook.secret = hook_rule(client, admin, url)
        client.post("/api/v1/responses", json=answers(1))
        for _ in range(3):
            deliver(connection, catalog, impatient)
            frozen_clock.advance(timedelta(hours=1))
        (dead,) = client.get("/api/v1/alert-deliveries?status=dead", headers=admin).json()
        assert [attempt["ok"] for attempt in dead["log"]] == [False, False, False]
        assert all(attempt["error"] for attempt in dead["log"])
        hook.mode = "ok"
        retried = client.post(f"/api/v1/alert-deliveries/{dead['id']}/retry", headers=admin)
        assert retried.json()["status"] == "pending"
        assert deliver(connection, catalog, impatient).delivered == 1
    assert sum(1 for got in hook.received if got.signed) == len(hook.received)
    keys = {got.headers["Idempotency-Key"] for got in hook.received}
    assert keys == {dead["id"]}  # every try of one delivery carries one key


def test_a_submission_does_not_wait_for_a_slow_receiver(
    client: httpx.Client, admin: dict[str, str], counter: Counter
) -> None:
    """The response is stored and answered at once; the alert waits for the worker."""
    hook = WebhookReceiver(mode="slow", delay=5.0)
    with hook.serving(free_port()) as url:
        hook_rule(client, admin, url)
        answer = client.post("/api/v1/responses", json=answers(1))
    assert answer.status_code == 201
    assert answer.elapsed < timedelta(seconds=1)
    assert hook.received == []


def _rule(**fields: Any) -> AlertRule:
    return AlertRule(name="", scope="city", recipient="email", **fields)


@pytest.mark.parametrize(
    ("fields", "raised", "leaves"),
    [
        ({}, "2026-10-05 14:20", "2026-10-05 14:20"),
        ({"digest": "hourly"}, "2026-10-05 14:20", "2026-10-05 15:00"),
        ({"digest": "daily"}, "2026-10-05 14:20", "2026-10-06 08:00"),
        ({"digest": "daily"}, "2026-10-05 06:10", "2026-10-05 08:00"),
        ({"quiet_start": 21, "quiet_end": 7}, "2026-10-05 23:40", "2026-10-06 07:00"),
        ({"quiet_start": 21, "quiet_end": 7}, "2026-10-05 03:00", "2026-10-05 07:00"),
        ({"quiet_start": 12, "quiet_end": 13}, "2026-10-05 12:30", "2026-10-05 13:00"),
        ({"digest": "hourly", "quiet_start": 22, "quiet_end": 6}, "2026-10-05 21:30",
         "2026-10-06 06:00"),
    ],
)  # fmt: skip
def test_digests_and_quiet_hours(fields: dict[str, Any], raised: str, leaves: str) -> None:
    moment = datetime.fromisoformat(raised).replace(tzinfo=CITY).astimezone(UTC)
    due = due_at(_rule(**fields), moment, CITY).astimezone(CITY)
    assert due.strftime("%Y-%m-%d %H:%M") == leaves


@pytest.fixture
def open_case(client: httpx.Client, session: Session, admin: dict[str, str],
              counter: Counter) -> int:  # fmt: skip
    client.post("/api/v1/alert-rules", json=rule(), headers=admin)
    client.post("/api/v1/responses", json=answers(1))
    case_id = session.exec(select(FeedbackCase.id)).one()
    assert case_id is not None
    return case_id


def test_a_unit_sees_only_its_own_cases(
    client: httpx.Client, session: Session, open_case: int
) -> None:
    own = api_key(session, "unit", ["10507"])
    other = api_key(session, "unit", ["10525"])
    (case,) = client.get("/api/v1/cases", headers=own).json()
    assert (case["id"], case["status"], case["overall"]) == (open_case, "new", 1)
    assert client.get("/api/v1/cases", headers=other).json() == []
    assert client.get(f"/api/v1/cases/{open_case}", headers=other).status_code == 404
    resolved = client.post(f"/api/v1/cases/{open_case}/resolve", json={}, headers=other)
    assert resolved.status_code == 404
    detail = client.get(f"/api/v1/cases/{open_case}", headers=own).json()
    assert detail["comment"] == "Cán bộ hẹn 3 lần, gọi [đã ẩn] không ai nghe"
    assert detail["rules"] == ["Rất không hài lòng"]


def test_a_case_moves_new_acknowledged_resolved_and_says_who(
    client: httpx.Client, session: Session, open_case: int, frozen_clock: FixedClock
) -> None:
    own = api_key(session, "unit", ["10507"])
    frozen_clock.advance(timedelta(hours=3))
    acknowledged = client.post(f"/api/v1/cases/{open_case}/acknowledge",
                               json={"note": "Đã gọi lại"}, headers=own)  # fmt: skip
    assert acknowledged.json()["status"] == "acknowledged"
    again = client.post(f"/api/v1/cases/{open_case}/acknowledge", json={}, headers=own)
    assert again.status_code == 409
    empty = client.post(f"/api/v1/cases/{open_case}/notes", json={"note": " "}, headers=own)
    assert empty.status_code == 422
    frozen_clock.advance(timedelta(hours=20))
    done = client.post(f"/api/v1/cases/{open_case}/resolve",
                       json={"note": "Đã trả kết quả"}, headers=own).json()  # fmt: skip
    assert done["status"] == "resolved"
    assert [(n["action"], n["text"]) for n in done["notes"]] == [
        ("acknowledged", "Đã gọi lại"), ("resolved", "Đã trả kết quả"),
    ]  # fmt: skip
    assert done["acknowledged_by"] == done["resolved_by"]
    assert done["resolved_by"].startswith("key:")
    assert client.get("/api/v1/cases", headers=own).json() == []  # no longer open
    assert len(client.get("/api/v1/cases?status=resolved", headers=own).json()) == 1

"""The sample's invitations sent through the gateways, each in its own API's shape, to a
local server that plays the gateway and checks every request: one invite, one reminder
only if still unanswered, none at night, none after an opt-out; a gateway that refuses or
times out is retried and the message never lost."""

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import draw_sample
from app.dossiers.service import import_dossier_file
from app.messaging.sender import SendSummary, send_due_messages
from app.models import Invitation, InvitationMessage
from tests.conftest import CITY
from tests.dossiers.test_dossier_import import as_csv, dossier
from tests.local_http import answer_json, serving

DAY = date(2026, 10, 8)


@dataclass
class FakeGateway:
    """Plays a gateway: checks each request's shape and answers as ``mode`` says."""

    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    url: str = ""

    def serve(self) -> Iterator["FakeGateway"]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append(body)
                gateway.headers.append(dict(self.headers))
                if gateway.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                answer: dict[str, Any]
                if "ApiKey" in body:  # the SMS gateway's shape
                    ok = gateway.mode == "ok" and body["Brandname"] == "UBND-HP"
                    answer = (
                        {"CodeResult": "100", "SMSID": f"sms-{len(gateway.requests)}"}
                        if ok
                        else {"CodeResult": "104", "ErrorMessage": "Brandname chua dang ky"}
                    )
                else:  # Zalo ZNS
                    answer = {"error": 0, "message": "Success",
                              "data": {"msg_id": f"zns-{len(gateway.requests)}"}}  # fmt: skip
                answer_json(self, answer)

            def log_message(self, *args: object) -> None:
                pass

        with serving(Handler) as base:
            self.url = f"{base}/send"
            yield self


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    yield from FakeGateway().serve()


@pytest.fixture
def sms(settings: Settings, gateway: FakeGateway) -> Settings:
    return settings.model_copy(update={
        "sms_gateway_url": gateway.url, "sms_api_key": "key-1", "sms_secret_key": "secret-1",
        "sms_brandname": "UBND-HP", "message_max_attempts": 3,
    })  # fmt: skip


@pytest.fixture
def drawn(session: Session, sms: Settings, frozen_clock: FixedClock) -> list[Invitation]:
    """Three dossiers finished on the 8th, drawn (a small frame: all of them) at 10:00 on
    the 9th."""
    frozen_clock.moment = datetime(2026, 10, 9, 10, 0, tzinfo=CITY).astimezone(UTC)
    rows = [dossier(f"HS-{i}", SoDienThoai=f"091234567{i}") for i in range(3)]
    import_dossier_file(session, "day.csv", as_csv(rows), load_mapping(), sms, "test")
    draw_sample(session, DAY, sms, seed=3)
    return list(session.exec(select(Invitation).order_by(col(Invitation.id))).all())


def send(connection: Connection, settings: Settings) -> SendSummary:
    return send_due_messages(connection, settings, rng=random.Random(5))


def test_each_invitation_is_sent_once_in_the_gateways_shape(
    connection: Connection, drawn: list[Invitation], sms: Settings, gateway: FakeGateway
) -> None:
    assert len(drawn) == 3
    assert send(connection, sms) == SendSummary(sent=3)
    assert send(connection, sms) == SendSummary()  # nothing twice
    phones = sorted(request["Phone"] for request in gateway.requests)
    assert phones == ["0912345670", "0912345671", "0912345672"]
    first = gateway.requests[0]
    assert (first["ApiKey"], first["SecretKey"], first["Brandname"], first["SmsType"]) == (
        "key-1", "secret-1", "UBND-HP", "2",
    )  # fmt: skip
    assert first["Content"].startswith("Phuong Thanh Dong moi Ong/Ba danh gia")
    assert "https://khaosat.example.vn/s/" in first["Content"]
    assert first["Content"].isascii()


def test_a_reminder_goes_only_to_who_has_not_answered_nor_opted_out(
    client: httpx.Client, connection: Connection, session: Session, drawn: list[Invitation],
    sms: Settings, gateway: FakeGateway, frozen_clock: FixedClock,
) -> None:  # fmt: skip
    send(connection, sms)
    answered, opted, silent = drawn
    body = {"id": "0b9f4f2c-3c53-4c55-9a0a-6a3c0d2e0a11", "slug": answered.slug,
            "form_id": "counter-quick", "form_version": 1, "answers": {"overall": 4}}  # fmt: skip
    assert client.post("/api/v1/responses", json=body).status_code == 201
    page = client.get(f"/s/{opted.slug}/tu-choi")
    assert "Không nhận tin nhắn khảo sát" in page.text
    assert client.post(f"/s/{opted.slug}/tu-choi").status_code == 200
    frozen_clock.advance(timedelta(days=2))
    assert send(connection, sms) == SendSummary(sent=1, skipped=2)
    assert gateway.requests[-1]["Phone"] == "0912345672"
    reasons = dict(session.exec(select(InvitationMessage.invitation_id,
                                       InvitationMessage.last_error).where(
        InvitationMessage.kind == "reminder")).all())  # fmt: skip
    assert [reasons[i.id or 0] for i in (answered, opted, silent)] == [
        "answered already", "opted out", None,
    ]  # fmt: skip


def test_nothing_is_sent_at_night(
    connection: Connection, drawn: list[Invitation], sms: Settings, gateway: FakeGateway,
    frozen_clock: FixedClock,
) -> None:  # fmt: skip
    frozen_clock.moment = datetime(2026, 10, 9, 22, 30, tzinfo=CITY).astimezone(UTC)
    assert send(connection, sms) == SendSummary(deferred=3)
    assert gateway.requests == []
    frozen_clock.moment = datetime(2026, 10, 10, 7, 0, tzinfo=CITY).astimezone(UTC)
    assert send(connection, sms).sent == 3


def test_a_refusing_gateway_is_retried_then_the_message_given_up_not_lost(
    connection: Connection, session: Session, drawn: list[Invitation], sms: Settings,
    gateway: FakeGateway, frozen_clock: FixedClock,
) -> None:  # fmt: skip
    gateway.mode = "down"
    assert send(connection, sms) == SendSummary(retrying=3)
    frozen_clock.advance(timedelta(hours=1))
    gateway.mode = "refuse"
    assert send(connection, sms) == SendSummary(retrying=3)
    frozen_clock.advance(timedelta(hours=1))
    assert send(connection, sms) == SendSummary(dead=3)
    dead = session.exec(select(InvitationMessage).where(InvitationMessage.kind == "invite")).all()
    assert {m.status for m in dead} == {"dead"}
    assert all("Brandname chua dang ky" in (m.last_error or "") for m in dead)


def test_zalo_zns_in_its_own_shape(
    connection: Connection, session: Session, drawn: list[Invitation], settings: Settings,
    gateway: FakeGateway,
) -> None:  # fmt: skip
    zalo = settings.model_copy(update={
        "message_channel": "zalo", "zalo_zns_url": gateway.url, "zalo_access_token": "tok",
        "zalo_template_id": "301234",
    })  # fmt: skip
    assert send(connection, zalo).sent == 3
    request = gateway.requests[0]
    assert request["template_id"] == "301234"
    assert request["phone"].startswith("8491234567")
    assert request["template_data"]["unit"] == "Phường Thành Đông"
    assert request["template_data"]["link"].startswith("https://khaosat.example.vn/s/")
    assert gateway.headers[0]["access_token"] == "tok"
    sent = session.exec(select(InvitationMessage).where(InvitationMessage.status == "sent")).all()
    assert {(m.channel, m.provider_id) for m in sent} == {("zalo", f"zns-{n}") for n in (1, 2, 3)}

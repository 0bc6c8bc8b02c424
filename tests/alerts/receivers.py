"""Real receivers on this machine for the alert tests: a webhook endpoint that checks each
request's signature, and an SMTP server (aiosmtpd) that keeps what it is sent."""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from typing import Any

from aiosmtpd.controller import Controller

from app.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from bench.common import free_port
from tests.local_http import serving


@dataclass
class Received:
    headers: dict[str, str]
    payload: dict[str, Any]
    signed: bool


@dataclass
class WebhookReceiver:
    """Answers as ``mode`` says: "ok" (204), "error" (503), "redirect" (to itself),
    "garbage" (bytes that are not HTTP), or "slow" (after ``delay`` seconds)."""

    secret: str = ""
    now: Callable[[], float] = time.time
    mode: str = "ok"
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signed = verify(
                    receiver.secret,
                    self.headers.get(TIMESTAMP_HEADER, ""),
                    body,
                    self.headers.get(SIGNATURE_HEADER, ""),
                    receiver.now(),
                )
                receiver.received.append(Received(dict(self.headers), json.loads(body), signed))
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                if receiver.mode == "garbage":
                    self.wfile.write(b"\x00\xffnot an HTTP answer\r\n\r\n")
                    self.close_connection = True
                    return
                if receiver.mode == "redirect":
                    self.send_response(307)
                    self.send_header("Location", self.path)
                    self.end_headers()
                    return
                self.send_response(503 if receiver.mode == "error" else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    @contextmanager
    def serving(self, port: int) -> Iterator[str]:
        """Listen on ``port`` until the block ends; yields the hook's URL."""
        with serving(self.handler(), port) as url:
            yield f"{url}/hook"


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[EmailMessage]]]:
    """A real SMTP server on a free port; yields the port and the messages it got."""
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, mailbox.messages
    finally:
        controller.stop()

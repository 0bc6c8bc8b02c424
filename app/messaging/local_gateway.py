"""A gateway on this machine for the demo and for trying the platform before a city has a
contract with an SMS or Zalo provider: it takes messages in both gateways' shapes
(app.messaging.gateways), checks their fields as the provider would, and sends nothing —
each message is printed (and kept, one JSON line each, in a file if asked), so that whoever
runs the demo can open the invitation's link and answer it.

``sipas invitations local-gateway [--port 8090] [--keep FILE]``, then
``SIPAS_SMS_GATEWAY_URL=http://127.0.0.1:8090/send``, any ``SIPAS_SMS_API_KEY`` and
``SIPAS_SMS_BRANDNAME``.
"""

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.phones import normal_phone

# Fields an SMS request must fill (SecretKey too must be present, but some accounts have
# none).
_SMS_FIELDS = ("ApiKey", "Phone", "Content", "Brandname", "SmsType", "RequestId")
_ZNS_FIELDS = ("phone", "template_id", "template_data", "tracking_id")
_LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]+")


def print_message(message: dict[str, Any]) -> None:
    print(f"[{message['channel']}] → {message['phone']}: {message['text']}", flush=True)


@dataclass
class LocalGateway:
    """The messages taken so far; ``announce`` is told of each (printed, by default)."""

    keep: Path | None = None
    announce: Callable[[dict[str, Any]], None] = print_message
    taken: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, body: object, access_token: str | None) -> tuple[int, dict[str, Any]]:
        """The provider's answer to one request: (HTTP status, JSON body)."""
        if not isinstance(body, dict):
            return 400, {"error": "a JSON object is expected"}
        message: dict[str, Any]
        answer: dict[str, Any]
        if "ApiKey" in body:
            missing = [name for name in _SMS_FIELDS if not str(body.get(name) or "").strip()]
            missing += [] if "SecretKey" in body else ["SecretKey"]
            if missing or normal_phone(str(body["Phone"])) is None:
                reason = f"missing {', '.join(missing)}" if missing else "not a mobile number"
                return 200, {"CodeResult": "99", "ErrorMessage": reason}
            message = {"channel": "sms", "phone": body["Phone"], "text": body["Content"],
                       "request_id": body["RequestId"]}  # fmt: skip
            answer = {"CodeResult": "100", "SMSID": f"local-{len(self.taken) + 1}"}
        else:
            missing = [name for name in _ZNS_FIELDS if not body.get(name)]
            if missing or not access_token:
                missing = missing or ["access_token"]
                return 200, {"error": -124, "message": "missing " + ", ".join(missing)}
            data = body["template_data"]
            message = {"channel": "zalo", "phone": body["phone"],
                       "text": json.dumps(data, ensure_ascii=False),
                       "request_id": body["tracking_id"]}  # fmt: skip
            answer = {"error": 0, "message": "Success",
                      "data": {"msg_id": f"local-{len(self.taken) + 1}"}}  # fmt: skip
        link = _LINK.search(message["text"])
        message["link"] = link.group(0) if link else None
        with self._lock:
            self.taken.append(message)
            if self.keep is not None:
                with self.keep.open("a", encoding="utf-8") as kept:
                    kept.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.announce(message)
        return 200, answer

    def page(self) -> str:
        """The messages taken, newest first, their links to click (GET /)."""
        items = "".join(
            f"<li>[{escape(m['channel'])}] {escape(m['phone'])}: "
            + (f'<a href="{escape(m["link"])}">{escape(m["link"])}</a>' if m["link"] else "")
            + f"<br><small>{escape(m['text'])}</small></li>"
            for m in reversed(self.taken)
        )
        return (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Cổng tin nhắn cục bộ'
            "</title><h1>Cổng tin nhắn cục bộ (không gửi đi đâu)</h1>"
            f"<p>{len(self.taken)} tin nhắn</p><ol>{items}</ol></html>"
        )

    def server(self, host: str, port: int) -> ThreadingHTTPServer:
        return ThreadingHTTPServer((host, port), self.handler())

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(200, "text/html; charset=utf-8", gateway.page().encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length))
                except ValueError:
                    status, answer = 400, {"error": "not JSON"}
                else:
                    status, answer = gateway.take(body, self.headers.get("access_token"))
                self._answer(status, "application/json", json.dumps(answer).encode())

            def _answer(self, status: int, kind: str, raw: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass  # each message is announced instead

        return Handler

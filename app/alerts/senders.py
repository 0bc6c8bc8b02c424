"""The two ways an alert leaves: a signed webhook (HTTP POST) and e-mail (SMTP).

Each try ends in an ``Outcome``; nothing here retries or touches the database.
"""

import json
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx

from app.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from app.config import Settings

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Enough of a receiver's error answer to tell what went wrong, not a whole HTML page.
_ERROR_EXCERPT = 300


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    latency_ms: int
    status_code: int | None = None
    error: str | None = None


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def post_webhook(
    client: httpx.Client, url: str, secret: str, key: str, payload: dict[str, Any], now: int
) -> Outcome:
    """POST ``payload`` signed at ``now`` (Unix seconds); 2xx is delivered, anything else
    (a redirect included: a receiver that moved must be configured again) is not."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "sipas-alerts/1",
        IDEMPOTENCY_HEADER: key,
        TIMESTAMP_HEADER: str(now),
        SIGNATURE_HEADER: signature(secret, now, body),
    }
    started = time.monotonic()
    try:
        answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as problem:
        return Outcome(False, _elapsed_ms(started), error=f"{type(problem).__name__}: {problem}")
    latency = _elapsed_ms(started)
    if answer.is_success:
        return Outcome(True, latency, answer.status_code)
    excerpt = answer.text[:_ERROR_EXCERPT].strip()
    return Outcome(False, latency, answer.status_code, f"HTTP {answer.status_code} {excerpt}")


def send_email(
    settings: Settings, recipients: list[str], subject: str, text: str, key: str
) -> Outcome:
    """Send a plain-text message through the configured SMTP server."""
    started = time.monotonic()
    if settings.smtp_host is None:
        return Outcome(False, 0, error="no SMTP server is configured (SIPAS_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    # The same id on every retry: mail systems and readers can tell a repeat.
    message["Message-ID"] = f"<{key}@sipas.alerts>"
    message[IDEMPOTENCY_HEADER] = key
    message.set_content(text)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.alert_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            refused = smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as problem:
        return Outcome(False, _elapsed_ms(started), error=f"{type(problem).__name__}: {problem}")
    if refused:
        # Partly refused: those that got it will not want it twice, so it counts as sent.
        names = ", ".join(sorted(refused))
        return Outcome(True, _elapsed_ms(started), error=f"refused by the server: {names}")
    return Outcome(True, _elapsed_ms(started))

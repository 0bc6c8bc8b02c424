"""Dashboard sessions: a signed cookie naming the API key that signed in, for 8 hours.

The cookie holds the key's id, an expiry and an HMAC, never the key itself; the key is
looked up on every request, so revoking it ends its sessions.
"""

import base64
import hashlib
import hmac

from app import clock
from app.text import is_whole_number

SESSION_COOKIE = "sipas_session"
SESSION_SECONDS = 8 * 3600


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"session|{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_session(secret: str, key_id: int, now: float | None = None) -> str:
    expires = int((now if now is not None else clock.timestamp()) + SESSION_SECONDS)
    payload = f"{key_id}.{expires}"
    return f"{payload}.{_signature(secret, payload)}"


def session_key_id(secret: str, cookie: str, now: float | None = None) -> int | None:
    """The key id of a valid, unexpired session cookie; None otherwise.

    >>> cookie = issue_session("s" * 32, 7, now=0)
    >>> session_key_id("s" * 32, cookie, now=60), session_key_id("t" * 32, cookie, now=60)
    (7, None)
    """
    key_id, _, rest = cookie.partition(".")
    expires, _, signature = rest.partition(".")
    if not (is_whole_number(key_id) and is_whole_number(expires)):
        return None
    expected = _signature(secret, f"{key_id}.{expires}")
    valid = hmac.compare_digest(signature.encode(), expected.encode())
    current = now if now is not None else clock.timestamp()
    return int(key_id) if valid and current < int(expires) else None

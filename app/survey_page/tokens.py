"""Signed form tokens: the page's POST must come from a page this server issued."""

import base64
import hashlib
import hmac

from app import clock
from app.text import is_whole_number

MAX_AGE_SECONDS = 4 * 3600


def issue_token(secret: str, slug: str, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else clock.timestamp()))
    signature = hmac.new(secret.encode(), f"{slug}|{stamp}".encode(), hashlib.sha256).digest()
    return f"{stamp}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def token_is_valid(secret: str, slug: str, token: str, now: float | None = None) -> bool:
    """True for a token issued for ``slug`` less than four hours ago."""
    stamp, _, _ = token.partition(".")
    if not is_whole_number(stamp):
        return False
    expected = issue_token(secret, slug, float(stamp))
    current = now if now is not None else clock.timestamp()
    fresh = 0 <= current - int(stamp) <= MAX_AGE_SECONDS
    return fresh and hmac.compare_digest(expected.encode(), token.encode())

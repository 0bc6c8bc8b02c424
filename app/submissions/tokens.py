"""Page tokens: what the server issued when it showed a survey page, signed.

A token names the link (slug), the moment the citizen first saw the page, the id the
response will be stored under, and a tag of the device cookie the page was shown to.
So the flags rest on what the server issued and can check, not on what a client says:

- one page view is one response: its id comes from the token, and a second post of the
  token is a retry (200) or a conflict (409), never a second response;
- the start time is the server's, so ``too_fast`` cannot be defeated by a forged or
  missing ``started_at``;
- a post that carries a device cookie must carry the one the page was shown to, so a
  fresh random cookie per post cannot hide a repeat.

A client that keeps no cookies posts without one, and its address keys the repeat check.
"""

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app import clock
from app.text import is_whole_number

# A page post must come within this long of the page's first view; the offline queue's
# JSON posts may come later (the phone was offline), and are checked without an age.
PAGE_MAX_AGE_SECONDS = 4 * 3600
_NO_COOKIE = "-"


@dataclass(frozen=True, slots=True)
class PageToken:
    issued: int  # Unix seconds: when the citizen first saw the page
    response_id: uuid.UUID
    device_tag: str

    @property
    def started_at(self) -> datetime:
        return datetime.fromtimestamp(self.issued, UTC)

    def is_fresh(self) -> bool:
        return 0 <= clock.timestamp() - self.issued <= PAGE_MAX_AGE_SECONDS


Signed = tuple[str, PageToken]
"""A page token as the page carries it, and what it holds."""


def _mac(secret: str, purpose: str, text: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}|{text}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _device_tag(secret: str, cookie: str | None) -> str:
    return _mac(secret, "device", cookie)[:12] if cookie else _NO_COOKIE


def new_page_token(secret: str, device_cookie: str | None) -> PageToken:
    """A first view of a page, now, for the device that holds ``device_cookie``."""
    return PageToken(int(clock.timestamp()), uuid.uuid4(), _device_tag(secret, device_cookie))


def sign_token(secret: str, slug: str, token: PageToken) -> str:
    """The token as the page carries it; a longer form carries the same one page to page."""
    payload = f"{token.issued}.{token.response_id.hex}.{token.device_tag}"
    return f"{payload}.{_mac(secret, 'page|' + slug, payload)}"


def read_token(secret: str, slug: str, token: str, device_cookie: str | None) -> PageToken | None:
    """The token's content when this server issued it for ``slug``, and for this device
    when the post carries a device cookie; None otherwise. Age is the caller's matter.

    >>> signed = sign_token("s" * 32, "q7", new_page_token("s" * 32, "cookie-a"))
    >>> read_token("s" * 32, "q7", signed, "cookie-a") is not None
    True
    >>> read_token("s" * 32, "q7", signed, "cookie-b"), read_token("s" * 32, "q8", signed, None)
    (None, None)
    """
    parts = token.split(".")
    if len(parts) != 4 or not token.isascii() or not is_whole_number(parts[0]):
        return None
    issued, hex_id, tag, signature = parts
    expected = _mac(secret, "page|" + slug, f"{issued}.{hex_id}.{tag}")
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    if device_cookie and not hmac.compare_digest(
        tag.encode(), _device_tag(secret, device_cookie).encode()
    ):
        return None
    return PageToken(int(issued), uuid.UUID(hex=hex_id), tag)

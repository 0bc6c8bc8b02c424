"""Dashboard sessions: a random token in a cookie, its hash in ``dashboard_session``.

The row names the account or the API key that signed in and lasts 8 hours; logging out
ends the row, so a copied cookie dies with it. The account or key is looked up on every
request, so disabling the account or revoking the key ends its sessions too.

Forms of a signed-in page carry a CSRF token: an HMAC of the session's token under the
server's secret, so it needs no storage, dies with the session, and a page of another
site, which cannot read our cookie, cannot make one.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlmodel import Session

from app import clock
from app.accounts.service import account_principal
from app.db import writes
from app.keys.service import principal_of
from app.models import DashboardSession
from app.principals import Principal

SESSION_COOKIE = "sipas_session"
SESSION_SECONDS = 8 * 3600


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@writes
def open_session(session: Session, principal: Principal) -> str:
    """A new session for ``principal``; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        DashboardSession(
            token_sha256=_digest(token),
            api_key_id=principal.id if principal.kind == "key" else None,
            user_id=principal.id if principal.kind == "user" else None,
            created_at=now,
            expires_at=now + timedelta(seconds=SESSION_SECONDS),
        )
    )
    return token


def session_principal(session: Session, token: str) -> Principal | None:
    """Who holds an open, unexpired session whose account or key is still active."""
    found = session.get(DashboardSession, _digest(token))
    if found is None or found.ended_at is not None or found.expires_at <= clock.now():
        return None
    if found.user_id is not None:
        return account_principal(session, found.user_id)
    return principal_of(session, found.api_key_id) if found.api_key_id is not None else None


def csrf_token(token: str, secret: str) -> str:
    """The token a signed-in page's forms carry for the session ``token``."""
    return hmac.new(secret.encode(), b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(token: str, secret: str, presented: str) -> bool:
    return hmac.compare_digest(csrf_token(token, secret), presented)


@writes
def end_session(session: Session, token: str) -> None:
    """Log out: the session's row is ended, whoever else holds the cookie."""
    found = session.get(DashboardSession, _digest(token))
    if found is not None and found.ended_at is None:
        found.ended_at = clock.now()
        session.add(found)

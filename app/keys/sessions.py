"""Dashboard sessions: a random token in a cookie, its hash in ``dashboard_session``.

The row names the API key that signed in and lasts 8 hours; logging out ends the row,
so a copied cookie dies with it. The key is looked up on every request, so revoking it
ends its sessions too.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from app import clock
from app.db import writes
from app.models import DashboardSession

SESSION_COOKIE = "sipas_session"
SESSION_SECONDS = 8 * 3600


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@writes
def open_session(session: Session, key_id: int) -> str:
    """A new session for ``key_id``; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        DashboardSession(
            token_sha256=_digest(token),
            api_key_id=key_id,
            created_at=now,
            expires_at=now + timedelta(seconds=SESSION_SECONDS),
        )
    )
    return token


def session_key_id(session: Session, token: str) -> int | None:
    """The key id of an open, unexpired session; None for anything else."""
    found = session.exec(
        select(DashboardSession).where(DashboardSession.token_sha256 == _digest(token))
    ).first()
    if found is None or found.ended_at is not None or found.expires_at <= clock.now():
        return None
    return found.api_key_id


@writes
def end_session(session: Session, token: str) -> None:
    """Log out: the session's row is ended, whoever else holds the cookie."""
    found = session.get(DashboardSession, _digest(token))
    if found is not None and found.ended_at is None:
        found.ended_at = clock.now()
        session.add(found)

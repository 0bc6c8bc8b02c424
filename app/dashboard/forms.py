"""What every form of a signed-in dashboard page must carry: the session and its CSRF token.

The session cookie is SameSite=Strict and form posts from other sites are refused
(``app.deps.refuse_cross_site``); the token is the third lock, for browsers or proxies that
send neither ``Sec-Fetch-Site`` nor ``Origin``.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request

from app.accounts.sessions import SESSION_COOKIE, csrf_matches, csrf_token
from app.config import Settings
from app.deps import SessionDep, SettingsDep, signed_in
from app.errors import Forbidden, Unauthorized
from app.principals import Principal


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    cookie: str


def signed_in_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> SignedIn:
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = signed_in(session, cookie) if cookie else None
    if principal is None or cookie is None:
        raise Unauthorized("the dashboard session has ended; sign in again")
    if not csrf_matches(cookie, settings.resolved_secret_key(), csrf):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page")
    return SignedIn(principal, cookie)


SignedInForm = Annotated[SignedIn, Depends(signed_in_form)]


def csrf_for(request: Request, settings: Settings) -> str:
    """The CSRF token for the forms of the page being rendered for this session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return csrf_token(cookie, settings.resolved_secret_key()) if cookie else ""


def admin_only(principal: Principal, manages: str) -> Principal:
    """``principal`` when it is an admin's; Forbidden otherwise."""
    if principal.role != "admin":
        raise Forbidden(f"only an admin manages {manages}")
    return principal

"""FastAPI dependencies: the database session, the settings, and who is calling."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Cookie, Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from app.accounts.sessions import SESSION_COOKIE, session_principal
from app.config import Settings
from app.errors import FieldError, Forbidden, Invalid, Unauthorized
from app.keys.service import authenticate
from app.principals import Principal

# The small dependencies below are ``async`` on purpose: FastAPI runs a plain ``def``
# dependency in the thread pool, and a hop there per dependency cost more than the
# survey page itself. They do no I/O (a Session connects on first use).


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    with Session(engine) as session:
        yield session


async def get_analytics_session(request: Request) -> AsyncIterator[Session]:
    """A session on the analytics read replica when one is configured."""
    with Session(request.app.state.analytics_engine) as session:
        yield session


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# ``?bom=true`` on a CSV: a UTF-8 byte order mark first, for Excel (machines leave it off).
CsvBom = Annotated[
    bool,
    Query(
        description="start the CSV with a UTF-8 byte order mark, so Excel reads Vietnamese right"
    ),
]
SessionDep = Annotated[Session, Depends(get_session)]
AnalyticsSessionDep = Annotated[Session, Depends(get_analytics_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# A row id in a path: the databases' 32-bit integer keys bound it.
MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

_bearer = HTTPBearer(auto_error=False, description="An API key: `sipas apikey create`")


async def reject_nul_characters(request: Request) -> None:
    """No query or path parameter may hold a NUL character: PostgreSQL cannot compare or
    store one, and no real value has it."""
    if not request.scope["query_string"] and not request.path_params:
        return  # most requests (every submission): nothing to parse
    parameters = [*request.query_params.multi_items(), *request.path_params.items()]
    bad = [name for name, value in parameters if "\x00" in str(value)]
    if bad:
        raise Invalid(
            "a parameter holds a NUL character",
            [FieldError(name, "must not contain a NUL character") for name in bad],
        )


def refuse_cross_site(request: Request, settings: SettingsDep) -> None:
    """A browser's form post must come from one of our pages (login CSRF, forged answers).

    Browsers name the posting site in ``Sec-Fetch-Site``; older ones send ``Origin``,
    which must then be this server's or the public address. Clients that send neither
    (curl, other systems) are not browsers a forged page could drive.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site in ("same-origin", "none"):  # "none": typed or bookmarked by the user
            return
        raise Forbidden("a form posted from another site is refused")
    origin = request.headers.get("origin")
    ours = {str(request.base_url).rstrip("/"), settings.public_base_url.rstrip("/")}
    if origin is not None and origin not in ours:
        raise Forbidden("a form posted from another site is refused")


SameSite = Depends(refuse_cross_site)


def signed_in(session: Session, cookie: str | None) -> Principal | None:
    """The principal of a dashboard session cookie, when it is open and its holder active."""
    return session_principal(session, cookie) if cookie else None


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session_cookie: Annotated[
        str | None,
        Cookie(alias=SESSION_COOKIE, description="the dashboard's session, for GET without a key"),
    ] = None,
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        # The dashboard's signed-in session may read (reports, posters); it never changes
        # anything, so a forged cross-site request has nothing to gain.
        if request.method in ("GET", "HEAD"):
            principal = signed_in(session, session_cookie)
            if principal is not None:
                return principal
        raise Unauthorized()
    principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise Unauthorized("the API key is unknown or revoked")
    return principal


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden()
        return principal

    return check


Reader = Annotated[Principal, Depends(require_role("admin", "analyst", "unit"))]
Analyst = Annotated[Principal, Depends(require_role("admin", "analyst"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]

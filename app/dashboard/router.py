"""The analysts' dashboard: any period, the city → a sector → its units → a unit's criteria
and comments, with the reports and each unit's QR posters. Sign-in takes an API key and
leaves a signed, HttpOnly session cookie (``app.accounts.sessions``)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session, col, select

from app import clock
from app.accounts.service import SignInRefused, sign_in
from app.accounts.sessions import SESSION_COOKIE, SESSION_SECONDS, end_session, open_session
from app.dashboard.forms import SignedInForm, csrf_for
from app.dashboard.page import page_context
from app.dashboard.periods import Period, read_period
from app.dashboard.views import Focus, build_view, read_focus
from app.deps import AnalyticsSessionDep, SameSite, SessionDep, SettingsDep, signed_in
from app.dossiers.feed import recent_pulls
from app.dossiers.handling import WHY_THEY_DIFFER, handling_by_unit
from app.dossiers.streams import streams
from app.keys.service import authenticate
from app.models import Counter, Report, Sector, Unit
from app.principals import Principal
from app.surveys.deps import CatalogDep
from app.surveys.forms import FormCatalog

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
ROLE_NAMES = {"admin": "quản trị", "analyst": "phân tích", "unit": "đơn vị"}
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def _login_page(
    request: Request, error: str | None = None, username: str = "", status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "dashboard_login.html",
        {"error": error, "username": username},
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    analytics: AnalyticsSessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> HTMLResponse:
    """The period, sector and unit come from the URL, read by hand: a mistyped shared link
    shows a sentence on the page, never a validation error."""
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return _login_page(request)
    asked = request.query_params
    today = clock.now().astimezone(settings.zone).date()
    period, problem = read_period(
        asked.get("period") or asked.get("month"), asked.get("from"), asked.get("to"), today
    )
    focus, problems = read_focus(session, asked.get("sector"), asked.get("unit"), principal)
    view = build_view(analytics, catalog, period, focus, principal, settings.small_sample)
    overview = focus.sector is None and focus.unit is None
    units = session.exec(select(Unit)).all()
    sectors = session.exec(select(Sector)).all()
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            **page_context(
                view, {u.code: u.name for u in units}, {s.code: s.name_vi for s in sectors}, today
            ),
            "problems": [p for p in (problem, *problems) if p],
            "small_sample": settings.small_sample,
            "csrf": csrf_for(request, settings),
            "is_admin": principal.role == "admin",
            "role": ROLE_NAMES.get(principal.role, principal.role),
            "reports": _reports(session) if overview else None,
            **_measured(analytics, catalog, period, principal, overview),
            "poster_units": _poster_units(session, principal, focus),
            "zone": settings.zone,
        },
    )


def _measured(
    session: Session, catalog: FormCatalog, period: Period, principal: Principal, overview: bool
) -> dict[str, object]:
    """On the city's page of a month: the random sample beside the volunteered answers,
    and the Decision 766 figure, where the month has them."""
    if not overview or period.kind != "month":
        return {"streams": None, "handling": None, "pulls": []}
    month = period.last_month
    found = streams(session, catalog, month, principal)
    rows = handling_by_unit(session, month)
    dossiers = sum(row["dossiers"] for row in rows)
    handled = {"dossiers": dossiers, "rate": sum(r["handled_well"] for r in rows) / dossiers,
               "why": WHY_THEY_DIFFER["vi"]} if dossiers else None  # fmt: skip
    return {"streams": found if found["invited"] else None, "handling": handled,
            "pulls": recent_pulls(session, limit=3)}  # fmt: skip


def _reports(session: Session) -> list[Report]:
    statement = select(Report).order_by(col(Report.month).desc(), col(Report.version).desc())
    return list(session.exec(statement.limit(24)).all())


def _poster_units(session: Session, principal: Principal, focus: Focus) -> list[Unit]:
    """Units with counters whose posters the key may print: the focused unit's alone."""
    statement = select(Unit).where(col(Unit.id).in_(select(Counter.unit_id)))
    if focus.unit is not None:
        statement = statement.where(Unit.id == focus.unit.id)
    units = session.exec(statement.order_by(col(Unit.code))).all()
    return [u for u in units if u.id and principal.can_read_unit(u.id)]


@router.post("/login", response_model=None, dependencies=[SameSite])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A person signs in with a name and password; a key's holder may sign in with it."""
    outcome: Principal | SignInRefused | None
    if api_key.strip():
        outcome = authenticate(session, api_key.strip())
        if outcome is None:
            return _login_page(request, "key", status_code=401)
    else:
        outcome = sign_in(session, username, password)
    if isinstance(outcome, SignInRefused):
        status = 429 if outcome is SignInRefused.THROTTLED else 401
        return _login_page(request, outcome.value, username[:64], status_code=status)
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        open_session(session, outcome),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", dependencies=[SameSite])
def logout(request: Request, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    end_session(session, form.cookie)
    response = RedirectResponse("/dashboard", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

"""The analysts' dashboard: the current month's targets, sectors and units, the reports,
and the QR posters of each unit. Sign-in takes an API key and leaves a signed, HttpOnly
session cookie (``app.keys.sessions``)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import col, select

from app import clock
from app.deps import AnalyticsSessionDep, CatalogDep, SameSite, SessionDep, SettingsDep, signed_in
from app.keys.service import authenticate
from app.keys.sessions import SESSION_COOKIE, SESSION_SECONDS, end_session, open_session
from app.models import Counter, Report, Unit
from app.months import Month
from app.reports.content import build_report
from app.reports.render_html import report_context

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
ROLE_NAMES = {"admin": "quản trị", "analyst": "phân tích", "unit": "đơn vị"}
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def _login_page(request: Request, error: bool = False, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "dashboard_login.html", {"error": error}, status_code=status_code
    )


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    analytics: AnalyticsSessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> HTMLResponse:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return _login_page(request)
    today = clock.now().astimezone(settings.zone)
    current = Month(today.year, today.month)
    asked = request.query_params.get("month")
    month, problem = current, None
    if asked:
        try:
            month = Month.parse(asked)
        except ValueError:
            problem = f"“{asked}” không phải là một tháng (NNNN-TT); đang hiển thị tháng này."
        else:
            if month > current:
                month, problem = current, f"Tháng {asked} chưa đến; đang hiển thị tháng này."
    report = build_report(analytics, catalog, month, principal, settings.small_sample)
    units = session.exec(
        select(Unit).where(col(Unit.id).in_(select(Counter.unit_id))).order_by(col(Unit.code))
    ).all()
    reports = session.exec(
        select(Report).order_by(col(Report.month).desc(), col(Report.version).desc()).limit(24)
    ).all()
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            **report_context(report, "vi"),
            "today": today.date(),
            "current": month == current,
            "months": [str(current.back(back)) for back in range(24)],
            "selected": str(month),
            "problem": problem,
            "role": ROLE_NAMES.get(principal.role, principal.role),
            "reports": reports,
            "poster_units": [u for u in units if u.id and principal.can_read_unit(u.id)],
        },
    )


@router.post("/login", response_model=None, dependencies=[SameSite])
def login(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str, Form()] = "",
) -> Response:
    principal = authenticate(session, api_key.strip())
    if principal is None:
        return _login_page(request, error=True, status_code=401)
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        open_session(session, principal.key_id),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", dependencies=[SameSite])
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(session, cookie)
    response = RedirectResponse("/dashboard", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

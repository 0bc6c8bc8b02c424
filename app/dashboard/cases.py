"""The cases pages: open cases oldest first with their age, and one case with its scores,
its masked comment and its history, where the unit's people acknowledge and resolve it.

Unit accounts see only their units' cases; every step is a CSRF-checked form post,
audited under the person's name.
"""

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.accounts.sessions import SESSION_COOKIE
from app.cases import service
from app.cases.router import STATUS_SETS
from app.dashboard.forms import SignedInForm, csrf_for
from app.deps import RowId, SameSite, SessionDep, SettingsDep, signed_in
from app.reports.wording import hours
from app.surveys.deps import CatalogDep
from app.surveys.forms import LIKERT_LABELS

router = APIRouter(prefix="/dashboard/cases", tags=["dashboard"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
templates.env.filters["hours"] = lambda value: hours(value, "vi")
STATUS_NAMES = {"new": "Mới", "acknowledged": "Đã tiếp nhận", "resolved": "Đã giải quyết"}
SHOWN = {"open": "Đang mở", "resolved": "Đã giải quyết", "all": "Tất cả"}
PROBLEM_NAMES = {"harassment": "Bị gây phiền hà, sách nhiễu",
                 "informal_payment": "Phải chi thêm tiền ngoài quy định"}  # fmt: skip
DONE = {
    "acknowledged": "Đã tiếp nhận hồ sơ.",
    "resolved": "Đã ghi nhận hồ sơ được giải quyết.",
    "note": "Đã thêm ghi chú.",
}


def _context(request: Request, settings: SettingsDep, catalog: CatalogDep) -> dict[str, object]:
    return {
        "csrf": csrf_for(request, settings),
        "status_names": STATUS_NAMES,
        "likert": LIKERT_LABELS["vi"],
        "problem_names": PROBLEM_NAMES,
        "elements": {
            element.id: element.label.vi
            for loaded in catalog.loaded()
            for element in loaded.definition.aggregation.elements
        },
        "zone": settings.zone,
    }


@router.get("", response_class=HTMLResponse)
def cases_page(
    request: Request, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> Response:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return RedirectResponse("/dashboard", status_code=303)
    shown = request.query_params.get("status", "open")
    if shown not in SHOWN:
        shown = "open"
    cases = service.list_cases(session, catalog, principal, STATUS_SETS[shown])
    return templates.TemplateResponse(
        request,
        "dashboard_cases.html",
        {
            **_context(request, settings, catalog),
            "cases": cases,
            "shown": shown,
            "choices": SHOWN,
            "is_admin": principal.role == "admin",
        },
    )


@router.get("/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: RowId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> Response:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return RedirectResponse("/dashboard", status_code=303)
    case = service.get_case(session, catalog, principal, case_id)
    done = DONE.get(request.query_params.get("done", ""))
    return templates.TemplateResponse(
        request,
        "dashboard_case.html",
        {
            **_context(request, settings, catalog),
            "case": case,
            "can_act": principal.role in service.ACTING_ROLES,
            "done": done,
        },
    )


def _back(case_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/cases/{case_id}?{urlencode({'done': done})}", 303)


Note = Annotated[str, Form(max_length=2000)]


@router.post("/{case_id}/acknowledge", dependencies=[SameSite])
def acknowledge(
    case_id: RowId, session: SessionDep, form: SignedInForm, note: Note = ""
) -> RedirectResponse:
    service.acknowledge(session, form.principal, case_id, note)
    return _back(case_id, "acknowledged")


@router.post("/{case_id}/resolve", dependencies=[SameSite])
def resolve(
    case_id: RowId, session: SessionDep, form: SignedInForm, note: Note = ""
) -> RedirectResponse:
    service.resolve(session, form.principal, case_id, note)
    return _back(case_id, "resolved")


@router.post("/{case_id}/notes", dependencies=[SameSite])
def add_note(
    case_id: RowId, session: SessionDep, form: SignedInForm, note: Note = ""
) -> RedirectResponse:
    service.add_note(session, form.principal, case_id, note)
    return _back(case_id, "note")

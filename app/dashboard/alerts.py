"""The admin's alerts page: rules (made, paused, resumed), units' alert contacts, and the
delivery log with a retry for dead-lettered deliveries.

A rule without any condition would alert on every response in its scope: the form says
so and saves it only once the admin ticks that they mean it.
"""

import re
import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.accounts.sessions import SESSION_COOKIE
from app.alerts import rules
from app.alerts.delivery import retry_dead
from app.alerts.log import list_deliveries
from app.alerts.schemas import RuleIn
from app.config import Settings
from app.dashboard.forms import SignedInForm, admin_only, csrf_for
from app.deps import RowId, SameSite, SessionDep, SettingsDep, signed_in
from app.errors import Invalid, NotFound
from app.models import Sector, Unit
from app.units.service import get_unit

router = APIRouter(prefix="/dashboard/alerts", tags=["dashboard"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
DONE = {
    "created": "Đã lưu quy tắc “{name}”.",
    "paused": "Đã tạm dừng quy tắc.",
    "resumed": "Đã bật lại quy tắc.",
    "contacts": "Đã lưu địa chỉ nhận cảnh báo của đơn vị {name}.",
    "retry": "Sẽ gửi lại ngay ở lượt tới.",
}
SPLIT = re.compile(r"[\s,;]+")


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    secret: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    kind, _, name = request.query_params.get("done", "").partition(":")
    units = session.exec(select(Unit).order_by(col(Unit.code))).all()
    return templates.TemplateResponse(
        request,
        "dashboard_alerts.html",
        {
            "csrf": csrf_for(request, settings),
            "rules": [rules.rule_out(session, rule) for rule in rules.list_rules(session)],
            "deliveries": list_deliveries(session, limit=50),
            "dead": list_deliveries(session, "dead"),
            "units": units,
            "sectors": session.exec(select(Sector).order_by(col(Sector.code))).all(),
            "contacts": {unit.code: rules.unit_contacts(session, unit.id or 0) for unit in units},
            "errors": errors or {},
            "entered": entered or {},
            "secret": secret,
            "done": DONE[kind].format(name=name) if kind in DONE else None,
            "zone": settings.zone,
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return RedirectResponse("/dashboard", status_code=303)
    admin_only(principal, "alerts")
    return _page(request, session, settings)


def _back(kind: str, name: str = "") -> RedirectResponse:
    return RedirectResponse(f"/dashboard/alerts?{urlencode({'done': f'{kind}:{name}'})}", 303)


Text = Annotated[str, Form(max_length=2000)]


@router.post("", response_model=None, dependencies=[SameSite])
def create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: SignedInForm,
    name: Text = "",
    scope: Text = "city",
    sector: Text = "",
    unit: Text = "",
    overall_at_most: Text = "",
    element_dissatisfied: Text = "",
    misconduct: Text = "",
    has_comment: Text = "",
    not_flagged: Text = "",
    recipient: Text = "unit",
    emails: Text = "",
    url: Text = "",
    digest: Text = "immediate",
    quiet_start: Text = "",
    quiet_end: Text = "",
    match_everything: Text = "",
) -> Response:
    admin = admin_only(form.principal, "alerts")
    entered = {key: value for key, value in locals().items() if isinstance(value, str)}
    try:
        data = RuleIn.model_validate(
            {
                "name": name,
                "scope": scope,
                "sector": sector or None,
                "unit": unit or None,
                "overall_at_most": overall_at_most or None,
                "element_dissatisfied": bool(element_dissatisfied),
                "misconduct": bool(misconduct),
                "has_comment": bool(has_comment),
                "not_flagged": bool(not_flagged),
                "recipient": recipient,
                "emails": [e for e in SPLIT.split(emails) if e],
                "url": url or None,
                "digest": digest,
                "quiet_start": quiet_start or None,
                "quiet_end": quiet_end or None,
                "match_everything": bool(match_everything),
            }
        )
        rule = rules.create_rule(session, data, admin.actor, settings.environment == "development")
    except ValidationError as problem:
        errors = {str(e["loc"][0]): e["msg"] for e in problem.errors()}
        return _page(request, session, settings, errors, entered, status_code=422)
    except Invalid as problem:
        errors = {error.field or "": error.message for error in problem.errors}
        return _page(request, session, settings, errors, entered, status_code=422)
    if rule.secret:  # shown once, on this page, not in a URL
        return _page(request, session, settings, secret=rule.secret)
    return _back("created", rule.name)


@router.post("/rules/{rule_id}/pause", dependencies=[SameSite])
def pause(rule_id: RowId, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    rules.set_active(session, rule_id, False, admin_only(form.principal, "alerts").actor)
    return _back("paused")


@router.post("/rules/{rule_id}/resume", dependencies=[SameSite])
def resume(rule_id: RowId, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    rules.set_active(session, rule_id, True, admin_only(form.principal, "alerts").actor)
    return _back("resumed")


@router.post("/contacts", response_model=None, dependencies=[SameSite])
def contacts(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: SignedInForm,
    unit: Text = "",
    emails: Text = "",
) -> Response:
    admin = admin_only(form.principal, "alerts")
    try:
        found = get_unit(session, unit)
        rules.set_unit_contacts(session, found, [e for e in SPLIT.split(emails) if e], admin.actor)
    except (Invalid, NotFound) as problem:
        errors = {"contacts": "; ".join(e.message for e in problem.errors) or problem.message}
        entered = {"contact_unit": unit, "contact_emails": emails}
        return _page(request, session, settings, errors, entered, status_code=422)
    return _back("contacts", found.name)


@router.post("/deliveries/{delivery_id}/retry", dependencies=[SameSite])
def retry(delivery_id: uuid.UUID, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    if retry_dead(session, delivery_id, admin_only(form.principal, "alerts").actor) is None:
        raise NotFound(f"no dead-lettered delivery {delivery_id}")
    return _back("retry")

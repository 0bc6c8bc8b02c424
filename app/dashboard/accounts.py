"""The admin's page of people's accounts: create, disable, enable, reset a password.

Every change is a form post with the session's CSRF token, by an admin; each is audited
under the admin's name. A disabled account's sessions, and every session of an account
whose password was reset, end at once.
"""

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.accounts.service import (
    create_account,
    list_accounts,
    normal_username,
    reset_password,
    set_disabled,
)
from app.accounts.sessions import SESSION_COOKIE
from app.dashboard.forms import SignedInForm, admin_only, csrf_for
from app.deps import SameSite, SessionDep, SettingsDep, signed_in
from app.errors import Invalid

router = APIRouter(prefix="/dashboard/users", tags=["dashboard"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
ROLE_NAMES = {"admin": "quản trị", "analyst": "phân tích", "unit": "đơn vị"}
DONE = {
    "created": "Đã tạo tài khoản “{name}”.",
    "disabled": "Đã khóa tài khoản “{name}”; mọi phiên đăng nhập của tài khoản đã kết thúc.",
    "enabled": "Đã mở lại tài khoản “{name}”.",
    "password": "Đã đặt mật khẩu mới cho “{name}”; mọi phiên đăng nhập của tài khoản đã kết thúc.",
}


def _page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    done = request.query_params.get("done", "")
    kind, _, name = done.partition(":")
    return templates.TemplateResponse(
        request,
        "dashboard_users.html",
        {
            "accounts": list_accounts(session),
            "roles": ROLE_NAMES,
            "csrf": csrf_for(request, settings),
            "errors": errors or {},
            "entered": entered or {},
            "done": DONE[kind].format(name=name) if kind in DONE else None,
        },
        status_code=status_code,
    )


def _back(kind: str, username: str) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/users?{urlencode({'done': f'{kind}:{username}'})}", 303)


@router.get("", response_class=HTMLResponse)
def accounts_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return RedirectResponse("/dashboard", status_code=303)
    admin_only(principal, "accounts")
    return _page(request, session, settings)


@router.post("", response_model=None, dependencies=[SameSite])
def create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: SignedInForm,
    username: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    units: Annotated[str, Form(max_length=2000)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    admin = admin_only(form.principal, "accounts")
    codes = [code for code in re.split(r"[\s,;]+", units) if code]
    try:
        account = create_account(session, username, role, codes, password, admin.actor,
                                 display_name=display_name)  # fmt: skip
    except Invalid as problem:
        errors = {error.field or "": error.message for error in problem.errors}
        entered = {"username": username, "display_name": display_name, "role": role,
                   "units": units}  # fmt: skip
        return _page(request, session, settings, errors, entered, status_code=422)
    return _back("created", account.username)


@router.post("/{username}/disable", dependencies=[SameSite])
def disable(username: str, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    admin = admin_only(form.principal, "accounts")
    if admin.kind == "user" and admin.name == normal_username(username):
        # The last admin could lock everyone out; another admin (or the CLI) may do it.
        raise Invalid("Không thể tự khóa tài khoản của mình.")
    set_disabled(session, username, True, admin.actor)
    return _back("disabled", username)


@router.post("/{username}/enable", dependencies=[SameSite])
def enable(username: str, session: SessionDep, form: SignedInForm) -> RedirectResponse:
    set_disabled(session, username, False, admin_only(form.principal, "accounts").actor)
    return _back("enabled", username)


@router.post("/{username}/password", response_model=None, dependencies=[SameSite])
def new_password(
    request: Request,
    username: str,
    session: SessionDep,
    settings: SettingsDep,
    form: SignedInForm,
    password: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    admin = admin_only(form.principal, "accounts")
    try:
        reset_password(session, username, password, admin.actor)
    except Invalid as problem:
        message = "; ".join(error.message for error in problem.errors)
        return _page(request, session, settings, {f"password:{username}": message},
                     status_code=422)  # fmt: skip
    return _back("password", username)

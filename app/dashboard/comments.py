"""The comments inbox: a period's comments, masked, filtered by unit, sector, overall
score, quality flag, words (with or without diacritics) and tag; tagged by analysts;
exported as CSV with the same filters."""

import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import col, select

from app import clock
from app.accounts.sessions import SESSION_COOKIE
from app.comments.service import CommentQuery, find_comments, set_tags
from app.dashboard.forms import SignedInForm, csrf_for
from app.dashboard.periods import read_period
from app.dashboard.views import read_focus
from app.deps import SameSite, SessionDep, SettingsDep, signed_in
from app.errors import Forbidden
from app.models import Sector, Unit
from app.surveys.deps import CatalogDep
from app.surveys.forms import LIKERT_LABELS

router = APIRouter(prefix="/dashboard/comments", tags=["dashboard"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
FLAGS = {"any": "Tất cả", "clean": "Không bị gắn cờ", "flagged": "Bị gắn cờ"}
PERIOD = ("period", "from", "to")
NARROWING = ("unit", "sector", "overall", "flag", "q", "tag")
TAGGING_ROLES = ("admin", "analyst")


@router.get("", response_class=HTMLResponse)
def comments_page(
    request: Request, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> Response:
    principal = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return RedirectResponse("/dashboard", status_code=303)
    asked = request.query_params
    today = clock.today(settings.zone)
    period, problem = read_period(asked.get("period"), asked.get("from"), asked.get("to"), today)
    focus, problems = read_focus(session, asked.get("sector"), asked.get("unit"), principal)
    overall = asked.get("overall", "")
    flag = asked.get("flag", "any")
    query = CommentQuery(
        first=period.first,
        last=period.last,
        unit_ids=focus.units,
        sectors=focus.sectors,
        overall=int(overall) if overall in ("1", "2", "3", "4", "5") else None,
        flag=flag if flag in ("clean", "flagged") else "any",  # type: ignore[arg-type]
        text=asked.get("q", "")[:200],
        tag=asked.get("tag") or None,
    )
    found = find_comments(session, catalog, query, principal)
    kept = {name: asked[name] for name in (*PERIOD, *NARROWING) if asked.get(name)}
    export = {"from": period.first.isoformat(), "to": period.last.isoformat(),
              **{name: kept[name] for name in NARROWING if name in kept}}  # fmt: skip
    units = session.exec(select(Unit).order_by(col(Unit.code)))
    sectors = session.exec(select(Sector).order_by(col(Sector.code))).all()
    return templates.TemplateResponse(
        request,
        "dashboard_comments.html",
        {
            "csrf": csrf_for(request, settings),
            "period": period,
            "asked": kept,
            "found": found,
            "problems": [p for p in (problem, *problems) if p],
            "units": [u for u in units if u.id is not None and principal.can_read_unit(u.id)],
            "sectors": sectors,
            "sector_names": {sector.code: sector.name_vi for sector in sectors},
            "flags": FLAGS,
            "likert": LIKERT_LABELS["vi"],
            "can_tag": principal.role in TAGGING_ROLES,
            "export": "/api/v1/comments?" + urlencode({**export, "format": "csv", "bom": "true"}),
            "back": urlencode(kept),
            "zone": settings.zone,
        },
    )


@router.post("/{response_id}/tags", dependencies=[SameSite])
def tag(
    response_id: uuid.UUID,
    session: SessionDep,
    form: SignedInForm,
    tags: Annotated[str, Form(max_length=500)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    if form.principal.role not in TAGGING_ROLES:
        raise Forbidden("analysts and admins tag comments")
    set_tags(session, form.principal, response_id, tags.split(","))
    return RedirectResponse(f"/dashboard/comments?{back}#c-{response_id}", status_code=303)

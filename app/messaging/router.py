"""The link in every invitation message that stops them: a page that asks, and a post
that records the opt-out (only the phone's keyed hash is kept)."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.deps import SameSite, SessionDep
from app.messaging.optout import invitation_to_opt_out, opt_out

router = APIRouter(tags=["survey page"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


@router.get("/s/{slug}/tu-choi", response_class=HTMLResponse)
def opt_out_page(slug: str, request: Request, session: SessionDep) -> HTMLResponse:
    invitation_to_opt_out(session, slug)
    return templates.TemplateResponse(request, "opt_out.html", {"slug": slug, "done": False})


@router.post("/s/{slug}/tu-choi", response_class=HTMLResponse, dependencies=[SameSite])
def opt_out_post(slug: str, request: Request, session: SessionDep) -> HTMLResponse:
    opt_out(session, slug)
    return templates.TemplateResponse(request, "opt_out.html", {"slug": slug, "done": True})

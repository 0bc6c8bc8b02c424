"""The citizen's page: GET shows the survey, POST stores it and redirects to thanks."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.deps import CatalogDep, SessionDep, SettingsDep
from app.errors import Conflict, Gone, Invalid, NotFound
from app.submissions.service import record_submission
from app.survey_page.service import PageContext, options, page_context, submission_from_form
from app.survey_page.tokens import issue_token, token_is_valid
from app.surveys.forms import FreeText, MultiChoice

router = APIRouter(tags=["survey page"], include_in_schema=True)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

MESSAGES = {
    "vi": {
        "required": "Xin Ông/Bà chọn một câu trả lời",
        "invalid": "Câu trả lời không hợp lệ, xin chọn lại",
        "too_long": "Góp ý dài quá 2.000 ký tự",
        "sector": "Xin chọn lĩnh vực thủ tục",
        "expired": "Phiên khảo sát đã hết hạn, xin gửi lại",
    },
    "en": {
        "required": "Please choose an answer",
        "invalid": "That answer is not valid, please choose again",
        "too_long": "The comment is longer than 2,000 characters",
        "sector": "Please choose the area of your procedure",
        "expired": "The survey page expired, please send again",
    },
}


def _language(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def _render(
    request: Request,
    context: PageContext,
    secret: str,
    language: str,
    errors: dict[str, str] | None = None,
    values: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    questions = []
    for question in context.form.questions:
        kind = "text" if isinstance(question, FreeText) else (
            "multi" if isinstance(question, MultiChoice) else "one")  # fmt: skip
        choices = [] if kind == "text" else options(question, language)
        questions.append({"question": question, "kind": kind, "options": choices})
    values = values or {}
    response = templates.TemplateResponse(
        request,
        "survey.html",
        {
            "language": language,
            "slug": context.slug,
            "unit": context.unit,
            "place": context.place,
            "form": context.form,
            "sectors": context.sectors,
            "questions": questions,
            "errors": errors or {},
            "values": values,
            "token": issue_token(secret, context.slug),
            "response_id": (values.get("response_id") or [str(uuid.uuid4())])[0],
            "started_at": (values.get("started_at") or [datetime.now(UTC).isoformat()])[0],
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/s/{slug}", response_class=HTMLResponse)
def survey_page(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> HTMLResponse:
    """The survey page for a counter's QR code (Vietnamese; ``?lang=en`` for English)."""
    language = _language(request)
    context = _context_or_page(request, session, catalog, slug, language)
    if isinstance(context, HTMLResponse):
        return context
    return _render(request, context, settings.resolved_secret_key(), language)


def _context_or_page(
    request: Request, session: SessionDep, catalog: CatalogDep, slug: str, language: str
) -> PageContext | HTMLResponse:
    """The page's context, or the page that says why there is no survey here."""
    try:
        return page_context(session, catalog, slug)
    except NotFound:
        page, status = "not_found.html", 404
    except Gone:
        page, status = "answered.html", 410
    return templates.TemplateResponse(request, page, {"language": language}, status_code=status)


def _citizen_errors(error: Invalid, language: str) -> dict[str, str]:
    words = MESSAGES[language]
    found: dict[str, str] = {}
    for item in error.errors:
        field = item.field.removeprefix("answers.")
        if field == "sector":
            found[field] = words["sector"]
        elif "required" in item.message:
            found[field] = words["required"]
        elif "longer than" in item.message:
            found[field] = words["too_long"]
        else:
            found[field] = words["invalid"]
    return found


@router.post("/s/{slug}", response_model=None)
async def submit_page(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> Response:
    """The page's form post: stored, then 303 to the thank-you page."""
    language = _language(request)
    context = _context_or_page(request, session, catalog, slug, language)
    if isinstance(context, HTMLResponse):
        return context
    posted = await request.form()
    fields: dict[str, Any] = {key: [str(v) for v in posted.getlist(key)] for key in posted}
    secret = settings.resolved_secret_key()
    if not token_is_valid(secret, slug, (fields.get("token") or [""])[0]):
        return _render(request, context, secret, language,
                       {"token": MESSAGES[language]["expired"]}, fields, 400)  # fmt: skip
    submission, problems = submission_from_form(context, fields, language)
    if submission is None:
        errors = dict.fromkeys(problems, MESSAGES[language]["invalid"])
        return _render(request, context, secret, language, errors, fields, 422)
    try:
        record_submission(session, catalog, settings.zone, submission)
    except Gone:
        return templates.TemplateResponse(
            request, "answered.html", {"language": language}, status_code=410
        )
    except Conflict:
        pass  # the same page sent twice with other answers: the first one counts
    except Invalid as error:
        return _render(
            request, context, secret, language, _citizen_errors(error, language), fields, 422
        )
    return RedirectResponse(f"/s/{slug}/cam-on?lang={language}", status_code=303)


@router.get("/s/{slug}/cam-on", response_class=HTMLResponse)
def thanks_page(slug: str, request: Request) -> HTMLResponse:
    """The thank-you page."""
    return templates.TemplateResponse(request, "thanks.html", {"language": _language(request)})

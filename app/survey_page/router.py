"""The citizen's page: GET shows the survey, POST moves between its pages or stores it.

A form of one page posts once; a longer form goes one element per page, and its last
page stores the response. Everything works without JavaScript; ``/static/survey.js``
adds the offline queue, keeps answers across the language switch, and kiosk mode.
"""

import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.deps import SameSite, SessionDep, SettingsDep
from app.errors import Conflict, Gone, Invalid, NotFound
from app.submissions.deps import DeviceDep
from app.submissions.devices import DEVICE_COOKIE, KIOSK_COOKIE, DeviceTrace
from app.submissions.follow_up import FOLLOW_UP_QUESTION, add_follow_up
from app.submissions.service import record_submission
from app.submissions.tokens import PageToken, Signed, new_page_token, read_token, sign_token
from app.survey_page.service import (
    PageContext,
    answers_from_form,
    first_page_with,
    options,
    page_context,
    submission_from_form,
)
from app.surveys.deps import CatalogDep
from app.surveys.forms import FormCatalog, FreeText, MultiChoice, validate_answers
from app.surveys.links import feedback_channels, unit_of_slug
from app.text import is_whole_number

router = APIRouter(tags=["survey page"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

COOKIE_AGE = int(timedelta(days=365).total_seconds())
# A kiosk goes back to the start after this long without a touch (and after a response).
KIOSK_IDLE_SECONDS = 60
# The faces after which a kiosk asks what should improve (the form's own show_if).
DISSATISFIED = (1, 2, 3)
SECTOR_QUESTION = {
    "vi": "Thủ tục Ông/Bà vừa làm thuộc lĩnh vực nào?",
    "en": "Which area was your procedure in?",
}
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


@dataclass(frozen=True, slots=True)
class View:
    """How the citizen sees the page: language, kiosk or not, which form."""

    language: str
    kiosk: bool
    form_id: str | None = None

    @classmethod
    def of(cls, request: Request) -> "View":
        query = request.query_params
        return cls(
            language="en" if query.get("lang") == "en" else "vi",
            kiosk=query.get("kiosk") == "1",
            form_id=query.get("form") or None,
        )

    def one_tap(self, context: PageContext) -> bool:
        """A counter's kiosk shows five faces; ``?form=`` gives it the full form."""
        return (
            self.kiosk
            and self.form_id is None
            and context.counter_id is not None
            and FOLLOW_UP_QUESTION in context.form.by_id
        )

    def query(self, language: str | None = None, with_form: bool = False) -> str:
        params = {"lang": language or self.language}
        if self.kiosk:
            params["kiosk"] = "1"
        if with_form and self.form_id:
            params["form"] = self.form_id
        return urlencode(params)


def _signed(secret: str, slug: str, page_token: PageToken) -> Signed:
    return sign_token(secret, slug, page_token), page_token


def _page_basics(
    context: PageContext, signed: Signed, view: View, errors: dict[str, str] | None
) -> dict[str, object]:
    """What every page of a link shows, the phone's form and the kiosk's faces alike."""
    token, page_token = signed
    return {
        "language": view.language,
        "view": view,
        "slug": context.slug,
        "unit": context.unit,
        "place": context.place,
        "form": context.form,
        "token": token,
        "response_id": str(page_token.response_id),
        "errors": errors or {},
        "idle_seconds": KIOSK_IDLE_SECONDS,
    }


def _render_kiosk(
    request: Request,
    context: PageContext,
    signed: Signed,
    view: View,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    follow_up: bool = False,
) -> HTMLResponse:
    """The counter's kiosk: five faces, one tap stores; then, for the dissatisfied, one
    optional question with big buttons."""
    form, language = context.form, view.language
    return templates.TemplateResponse(
        request,
        "kiosk.html",
        {
            **_page_basics(context, signed, view, errors),
            "faces": options(form.by_id["overall"], language),
            "improve": options(form.by_id[FOLLOW_UP_QUESTION], language),
            "follow_up": follow_up,
            "sectors_asked": bool(context.sectors),
        },
        status_code=status_code,
    )


def _first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]


def _render(
    request: Request,
    context: PageContext,
    signed: Signed,
    view: View,
    page: int = 0,
    errors: dict[str, str] | None = None,
    values: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    form, language = context.form, view.language
    values = values or {}
    if view.one_tap(context):
        return _render_kiosk(request, context, signed, view, errors, status_code)
    on_page = set(form.pages[page].questions)
    questions = []
    for question in form.questions:
        if question.id not in on_page:
            continue
        kind = "text" if isinstance(question, FreeText) else (
            "multi" if isinstance(question, MultiChoice) else "one")  # fmt: skip
        choices = [] if kind == "text" else options(question, language)
        questions.append({"question": question, "kind": kind, "options": choices})
    # The answers of the other pages travel with the form.
    carried = [
        (question.id, value)
        for question in form.questions
        if question.id not in on_page
        for value in values.get(question.id, [])
    ]
    last_page = page == len(form.pages) - 1
    if not last_page:  # the sector is asked on the last page; an earlier answer travels
        carried += [("sector", value) for value in values.get("sector", [])]
    return templates.TemplateResponse(
        request,
        "survey.html",
        {
            **_page_basics(context, signed, view, errors),
            "page": page,
            "page_title": form.pages[page].title,
            "last_page": last_page,
            "sectors": context.sector_choices(language) if last_page else [],
            "required": {q.id for q in form.required_questions},
            "labels": _labels(context, language),
            "questions": questions,
            "carried": carried,
            "multi_ids": ",".join(sorted(form.multi_choice_ids)),
            "text_ids": ",".join(q.id for q in form.questions if isinstance(q, FreeText)),
            "values": values,
        },
        status_code=status_code,
    )


def _labels(context: PageContext, language: str) -> dict[str, str]:
    """What the error summary calls each field: its question, in the page's language."""
    labels = {q.id: getattr(q.label, language) for q in context.form.questions}
    labels["sector"] = SECTOR_QUESTION[language]
    return labels


def _context_or_page(
    request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    slug: str,
    view: View,
    version: int | None = None,
) -> PageContext | HTMLResponse:
    """The page's context, or the page that says why there is no survey here."""
    try:
        return page_context(session, catalog, slug, view.form_id, version)
    except NotFound:
        page, status = "not_found.html", 404
    except Gone:
        page, status = "answered.html", 410
    return templates.TemplateResponse(
        request, page, {"language": view.language}, status_code=status
    )


def _citizen_errors(errors: list[tuple[str, str]], language: str) -> dict[str, str]:
    words = MESSAGES[language]
    found: dict[str, str] = {}
    for field, message in errors:
        field = field.removeprefix("answers.")
        if field == "sector":
            found[field] = words["sector"]
        elif "required" in message:
            found[field] = words["required"]
        elif "longer than" in message:
            found[field] = words["too_long"]
        else:
            found[field] = words["invalid"]
    return found


def _page_errors(
    context: PageContext, fields: dict[str, list[str]], page: int, language: str
) -> dict[str, str]:
    """The problems with the answers on one page, before going on to the next."""
    form = context.form
    asked = form.pages[page].questions
    answers, problems = answers_from_form(form, fields, only=asked)
    found = [(qid, "invalid") for qid in problems]
    found += [(qid, why) for qid, why in validate_answers(form, answers).errors if qid in asked]
    return _citizen_errors(found, language)


@router.get("/s/{slug}", response_class=HTMLResponse)
def survey_page(
    slug: str, request: Request, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> HTMLResponse:
    """The survey page for a counter's QR code or an invitation (Vietnamese; ``?lang=en``
    for English, ``?kiosk=1`` on a shared tablet, ``?form=`` for another form)."""
    view = View.of(request)
    context = _context_or_page(request, session, catalog, slug, view)
    if isinstance(context, HTMLResponse):
        return context
    secret = settings.resolved_secret_key()
    cookie = request.cookies.get(DEVICE_COOKIE)
    new_cookie = None if cookie or view.kiosk else secrets.token_urlsafe(16)
    # The page's token is bound to the device cookie it is shown to, the new one included.
    page_token = new_page_token(secret, cookie or new_cookie)
    signed = _signed(secret, slug, page_token)
    response = _render(request, context, signed, view)
    secure = request.url.scheme == "https"
    if view.kiosk:
        response.set_cookie(KIOSK_COOKIE, "1", COOKIE_AGE, httponly=True, samesite="lax",
                            secure=secure)  # fmt: skip
    elif new_cookie is not None:
        response.set_cookie(DEVICE_COOKIE, new_cookie, COOKIE_AGE,
                            httponly=True, samesite="lax", secure=secure)  # fmt: skip
    return response


# The page's form, as a browser posts it: every value a string, any question id a field.
_PAGE_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string"}
                        for name in (
                            "token",
                            "response_id",
                            "form_id",
                            "form_version",
                            "page",
                            "action",
                            "sector",
                            "overall",
                            "comment",
                        )
                    },
                    "additionalProperties": {"type": "string"},
                }
            }
        },
    }
}


@router.post("/s/{slug}", response_model=None, dependencies=[SameSite], openapi_extra=_PAGE_FORM)
async def submit_page(
    slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    device: DeviceDep,
) -> Response:
    """The page's form post: the next or previous page, or stored and 303 to thanks."""
    posted = await request.form()
    fields = {key: [str(v) for v in posted.getlist(key)] for key in posted}
    # The rest reads and writes the database: off the event loop, as a sync route would be.
    return await run_in_threadpool(
        _answer_post, slug, request, fields, session, settings, catalog, device
    )


def _answer_post(
    slug: str,
    request: Request,
    fields: dict[str, list[str]],
    session: Session,
    settings: Settings,
    catalog: FormCatalog,
    device: DeviceTrace,
) -> Response:
    view = View.of(request)
    if _first(fields, "mode") != "tap":  # the kiosk's faces post no form of their own
        view = View(view.language, view.kiosk, _first(fields, "form_id") or view.form_id)
    version = _first(fields, "form_version")
    context = _context_or_page(request, session, catalog, slug, view,
                               int(version) if is_whole_number(version) else None)  # fmt: skip
    if isinstance(context, HTMLResponse):
        return context
    secret = settings.resolved_secret_key()
    pages = len(context.form.pages)
    page = min(int(p) if is_whole_number(p := _first(fields, "page")) else 0, pages - 1)
    action = _first(fields, "action") or "send"
    page_token = read_token(secret, slug, _first(fields, "token"), device.cookie)
    if page_token is None or not page_token.is_fresh():
        errors = {"token": MESSAGES[view.language]["expired"]}
        fresh = new_page_token(secret, device.cookie)
        signed = _signed(secret, slug, fresh)
        return _render(request, context, signed, view, page, errors, fields, 400)
    signed = _signed(secret, slug, page_token)
    if action in ("improve", "skip"):  # a kiosk's follow-up: optional, never an error page
        codes = [int(c) for c in fields.get(FOLLOW_UP_QUESTION, []) if is_whole_number(c)]
        if action == "improve" and codes and context.counter_id is not None:
            with suppress(NotFound, Gone, Invalid):
                add_follow_up(session, catalog, page_token, context.counter_id, codes)
        return RedirectResponse(f"/s/{context.slug}/cam-on?{view.query()}", status_code=303)
    if action == "stay":  # the language switch: the same page, answers kept
        return _render(request, context, signed, view, page, None, fields)
    if action == "back":
        return _render(request, context, signed, view, max(page - 1, 0), None, fields)
    if action == "next" or page < pages - 1:
        errors = _page_errors(context, fields, page, view.language)
        if errors:
            return _render(request, context, signed, view, page, errors, fields, 422)
        return _render(request, context, signed, view, page + 1, None, fields)
    return _store(request, context, signed, view, fields, session, settings, catalog, device)


def _store(
    request: Request,
    context: PageContext,
    signed: Signed,
    view: View,
    fields: dict[str, list[str]],
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    device: DeviceDep,
) -> Response:
    submission, problems = submission_from_form(context, fields, view.language, signed)
    if submission is None:
        errors = dict.fromkeys(problems, MESSAGES[view.language]["invalid"])
        page = first_page_with(context.form, errors)
        return _render(request, context, signed, view, page, errors, fields, 422)
    try:
        record_submission(session, catalog, settings, submission, device)
    except Gone:
        return templates.TemplateResponse(
            request, "answered.html", {"language": view.language}, status_code=410
        )
    except Conflict:
        pass  # the same page sent twice with other answers: the first one counts
    except Invalid as error:
        found = _citizen_errors([(e.field, e.message) for e in error.errors], view.language)
        page = first_page_with(context.form, found)
        return _render(request, context, signed, view, page, found, fields, 422)
    if view.one_tap(context) and submission.answers.get("overall") in DISSATISFIED:
        return _render_kiosk(request, context, signed, view, follow_up=True)
    return RedirectResponse(f"/s/{context.slug}/cam-on?{view.query()}", status_code=303)


@router.get("/s/{slug}/cam-on", response_class=HTMLResponse)
def thanks_page(slug: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The thank-you page: the unit, and where to complain or give feedback when the city
    has set its official channels; a kiosk goes back to the start from here."""
    view = View.of(request)
    unit = unit_of_slug(session, slug)
    phone, url = feedback_channels(session, unit) if unit is not None else (None, None)
    return templates.TemplateResponse(
        request,
        "thanks.html",
        {"language": view.language, "view": view, "start": f"/s/{slug}?{view.query()}",
         "unit": unit, "phone": phone, "feedback_url": url},
    )  # fmt: skip

"""HTTP route for submissions from kiosk apps and the survey page's offline queue."""

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import clock
from app.config import Settings
from app.db import engine_of
from app.deps import SessionDep, SettingsDep
from app.errors import AppError, Invalid
from app.group_commit import submit
from app.observability import SUBMISSIONS
from app.reference_cache import last_read
from app.submissions.deps import DeviceDep
from app.submissions.devices import DeviceTrace
from app.submissions.schemas import SubmissionIn, SubmissionOut
from app.submissions.service import (
    Recorded,
    StaleReference,
    check_submission,
    content_digest,
    record_submission,
    store_checked,
)
from app.surveys.deps import CatalogDep
from app.surveys.forms import FormCatalog
from app.surveys.links import counter_link

router = APIRouter(prefix="/api/v1", tags=["submissions"])
OUTCOMES = {409: "conflict", 410: "gone", 422: "invalid"}


@router.post(
    "/responses",
    status_code=201,
    response_model=SubmissionOut,
    responses={200: {"model": SubmissionOut, "description": "the same response, again"}},
)
async def post_response(
    body: SubmissionIn,
    device: DeviceDep,
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> JSONResponse:
    """Store a response: 201 stored, 200 the same id and body again, 409 the same id with
    another body, 410 an invitation used or expired, 422 naming each bad field, 503 while
    the database is unavailable."""
    try:
        recorded = await submit_response(session, catalog, settings, body, device)
    except AppError as error:
        SUBMISSIONS.labels(OUTCOMES.get(error.status_code, "invalid")).inc()
        raise
    SUBMISSIONS.labels("stored" if recorded.created else "already_stored").inc()
    out = SubmissionOut(
        id=body.id,
        status="stored" if recorded.created else "already_stored",
        submitted_at=recorded.submitted_at,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if recorded.created else 200)


async def submit_response(
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    body: SubmissionIn,
    device: DeviceTrace | None = None,
) -> Recorded:
    """``record_submission`` for a route: a counter's submission is checked on the event
    loop against the reference copy last read and awaits its batch's commit; any other
    (an invitation, a problem to report, a reference that changed) goes the reading way
    in a worker thread."""
    submitted_at = clock.now()
    listed = last_read(engine_of(session))
    link = counter_link(listed, body.slug) if listed is not None else None
    if listed is not None and link is not None:
        try:
            checked = check_submission(
                listed, link, catalog, settings, body, device, submitted_at, content_digest(body)
            )
            return await asyncio.wrap_future(submit(session, store_checked, checked))
        except (Invalid, StaleReference):
            pass
    return await run_in_threadpool(
        record_submission, session, catalog, settings, body, device, submitted_at
    )

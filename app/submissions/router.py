"""HTTP route for submissions from kiosk apps and the survey page's offline queue."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.deps import SessionDep, SettingsDep
from app.errors import AppError
from app.observability import SUBMISSIONS
from app.submissions.deps import DeviceDep
from app.submissions.devices import DeviceTrace
from app.submissions.schemas import SubmissionIn, SubmissionOut
from app.submissions.service import Recorded, record_submission, store_at_counter
from app.surveys.deps import CatalogDep
from app.surveys.forms import FormCatalog

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
    """A counter's submission the quick way, any other the reading way in a worker thread."""
    recorded = await store_at_counter(session, catalog, settings, body, device)
    if recorded is not None:
        return recorded
    return await run_in_threadpool(record_submission, session, catalog, settings, body, device)

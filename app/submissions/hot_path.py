"""The route every citizen's answer takes, without the framework's per-request work when
all goes well.

``POST /api/v1/responses`` is most of a server's traffic, and nearly every request is a
new, valid response at a counter. For those this pure ASGI middleware does what the
route does — the body validated into the same model, checked against the reference copy,
stored by the group-commit writer, answered 201 with the same JSON — without FastAPI's
dependency solving, exit stacks and response model, which cost more than the work itself.
Anything else goes on to the route untouched, its body replayed: a problem to report, a
retry or a conflict, an invitation, a reference that changed, a query string, a test
whose dependencies are overridden. The route then decides as it always does, so there
is one meaning for every answer, and the hot path can only be faster, never different.
"""

from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import SUBMISSIONS
from app.submissions.devices import DEVICE_COOKIE, KIOSK_COOKIE, DeviceTrace
from app.submissions.router import router
from app.submissions.schemas import SubmissionIn, SubmissionOut
from app.submissions.service import store_at_counter

PATH = "/api/v1/responses"


class SubmissionHotPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The route's own, for the request log and the metrics, as when it answers.
        self.route = next(r for r in router.routes if getattr(r, "path", None) == PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and not scope["query_string"]
            and not scope["app"].dependency_overrides
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if not request.headers.get("content-type", "").startswith("application/json"):
            await self.app(scope, receive, send)
            return
        try:
            body = await request.body()
        except ClientDisconnect:
            return  # the client left before it finished sending: there is no one to answer
        answer = await self._store(request, body)
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = self.route
        SUBMISSIONS.labels("stored").inc()
        await JSONResponse(answer, status_code=201)(scope, receive, send)

    async def _store(self, request: Request, body: bytes) -> dict[str, Any] | None:
        """The stored response's answer, or None for the route to decide (and to report
        whatever went wrong in its own words: a 409, a 503 while the database is away)."""
        state = request.app.state
        cookies = request.cookies
        device = DeviceTrace.of(
            cookies.get(DEVICE_COOKIE),
            cookies.get(KIOSK_COOKIE),
            request.client.host if request.client else None,
        )
        try:
            submission = SubmissionIn.model_validate_json(body)
            recorded = await store_at_counter(
                state.engine, state.catalog, state.settings, submission, device
            )
        except Exception:  # the route answers it, as it answers every problem
            return None
        if recorded is None or not recorded.created:
            return None
        answer = SubmissionOut(
            id=submission.id, status="stored", submitted_at=recorded.submitted_at
        )
        return answer.model_dump(mode="json")


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read given again first."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed

"""The route every citizen's answer takes, without the framework's per-request work when
all goes well.

``POST /api/v1/responses`` is most of a server's traffic, and nearly every request is a
new, valid response at a counter. For those this pure ASGI middleware does what the
route does — the body validated into the same model, checked against the reference copy,
stored by the group-commit writer, answered 201 with the same JSON — without FastAPI's
dependency solving, exit stacks and response model, which cost more than the work itself,
and outside the application's other middlewares, whose wrappers of every message cost
nearly as much: it adds what they would (rate limit, security headers, request id,
timing, log line and metrics) with the functions they use. Anything else goes on, through
them, to the route, its body replayed: a problem to report, a retry or a conflict, an
invitation, a reference that changed, a query string, a test whose dependencies are
overridden. The route then decides as it always does, so there
is one meaning for every answer, and the hot path can only be faster, never different.
"""

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import SUBMISSIONS, begin, observe, timing_headers
from app.ratelimit import RateLimiter
from app.security import NO_STORE, POLICY_BYTES, security_headers
from app.submissions.devices import DEVICE_COOKIE, KIOSK_COOKIE, DeviceTrace
from app.submissions.schemas import SubmissionIn, SubmissionOut
from app.submissions.service import store_at_counter

PATH = "/api/v1/responses"
_JSON = (b"content-type", b"application/json")
_STORED = SUBMISSIONS.labels("stored")


class SubmissionHotPath:
    """The outermost of the application's middlewares: what it answers, it answers as the
    layers it skips would (rate limit, security headers, request id, log and metrics)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

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
        if not request.headers.get("content-type", "").startswith("application/json") or (
            self.limiter.admit(scope) > 0  # the rate limit's layer answers the 429
        ):
            await self.app(scope, receive, send)
            return
        request_id, started = begin(scope)
        try:
            body = await request.body()
        except ClientDisconnect:  # the client left before it finished sending
            observe(scope["method"], PATH, 500, request_id, started)  # as for any unanswered
            return
        answer = await self._store(request, body)
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        _STORED.inc()
        headers = [
            _JSON,
            (b"content-length", str(len(answer)).encode()),
            *security_headers(POLICY_BYTES, scope.get("scheme") == "https"),
            NO_STORE,
            *timing_headers(request_id, started),
        ]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        observe(scope["method"], PATH, 201, request_id, started)
        await send({"type": "http.response.body", "body": answer})

    async def _store(self, request: Request, body: bytes) -> bytes | None:
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
        return answer.model_dump_json().encode()


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

"""Every request gets a request id, a line of JSON in the log, Prometheus metrics and a
``Server-Timing`` header; ``/metrics`` serves the metrics.

Logs carry the route's template (``/s/{slug}``), never the raw path or query, and no
client address: nothing in them identifies a citizen.
"""

import hmac
import itertools
import json
import logging
import re
import secrets
import time
from functools import lru_cache
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.hosts import is_this_machine

log = logging.getLogger("sipas.http")
errors = logging.getLogger("sipas.errors")
REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Unique, not secret: a random prefix per process and a count (a random UUID per request
# costs a system call for its randomness).
_ID_PREFIX, _ID_COUNT = secrets.token_hex(8), itertools.count()

REQUESTS = Counter(
    "sipas_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "sipas_http_request_duration_seconds",
    "Time from the request's arrival to the start of its response",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SUBMISSIONS = Counter(
    "sipas_submissions_total",
    "Survey responses received, by outcome (stored, already_stored, conflict, gone, invalid)",
    ["outcome"],
)


def metrics_allowed(request: Request, key: str | None) -> bool:
    """The metrics key as a Bearer token when one is set; a loopback client otherwise."""
    if key is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
        return hmac.compare_digest(sent, key.encode())
    return is_this_machine(request.client.host if request.client else None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's extras."""

    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
    # Made once: ``json.dumps`` with options makes an encoder for every line.
    _encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encode(entry)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """Logging for ``sipas serve``: JSON lines on stderr for our loggers and uvicorn's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "sipas": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "apscheduler": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }


# Set on a request once its observation has begun: the submissions' hot path begins it,
# and a request it hands on keeps its id and its clock.
_STARTED_SCOPE_KEY = "sipas.started"


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


def begin(scope: Scope) -> tuple[str, float]:
    """The request's id (the client's ``X-Request-ID`` when it is safe to log, else a new
    one) and the moment it arrived; the same for every layer that asks."""
    state = scope.setdefault("state", {})
    if _STARTED_SCOPE_KEY in scope:
        return state["request_id"], scope[_STARTED_SCOPE_KEY]
    incoming = next(
        (value for name, value in scope["headers"] if name == REQUEST_ID_HEADER), b""
    ).decode("latin-1")
    request_id = (
        incoming if _SAFE_REQUEST_ID.match(incoming) else f"{_ID_PREFIX}{next(_ID_COUNT):016x}"
    )
    state["request_id"] = request_id
    started = scope[_STARTED_SCOPE_KEY] = time.perf_counter()
    return request_id, started


def timing_headers(request_id: str, started: float) -> list[tuple[bytes, bytes]]:
    """The response's request id and its time in the application so far."""
    elapsed = (time.perf_counter() - started) * 1000
    return [
        (REQUEST_ID_HEADER, request_id.encode()),
        (b"server-timing", f"app;dur={elapsed:.2f}".encode()),
    ]


@lru_cache(maxsize=1024)
def _request_metrics(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    """The metrics of requests like these (looked up by their labels once, not each time)."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(route)


def observe(method: str, route: str, status: int, request_id: str, started: float) -> None:
    """Count, time and log an answered request."""
    elapsed = time.perf_counter() - started
    requests, latency = _request_metrics(method, route, status)
    requests.inc()
    latency.observe(elapsed)
    log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
        },
    )


class ObservabilityMiddleware:
    """A pure ASGI middleware (no buffering: streamed exports stream as before)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, started = begin(scope)
        status = 500
        logged = False

        def observed() -> None:
            # Logged before the last byte goes out, so a client that has its answer can
            # rely on the line being written.
            nonlocal logged
            logged = True
            observe(scope["method"], _route_of(scope), status, request_id, started)

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.extend(timing_headers(request_id, started))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                observed()
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            if not logged:
                observed()


class InternalErrorMiddleware:
    """The last net, innermost of ours: an unexpected exception becomes a 500 in the API's
    error shape, which then passes the security headers and the request log like any
    other answer (Starlette's own net sits outside them all). The traceback goes to the
    log with the request id, never to the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            request_id = scope.get("state", {}).get("request_id", "")
            errors.exception("unexpected error", extra={"request_id": request_id})
            if started:  # nothing more can be said on this connection
                raise
            body = json.dumps(
                {"detail": f"internal error; quote request id {request_id}", "errors": []}
            ).encode()
            await send({
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())],
            })  # fmt: skip
            await send({"type": "http.response.body", "body": body})

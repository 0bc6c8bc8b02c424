"""How the application answers errors: one JSON shape for every refusal, a Vietnamese
page for a citizen when the database is away, and the last nets for input no check named.
"""

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError, FieldError

RETRY_AFTER_SECONDS = "5"
UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>Hệ thống đang bận</title><link rel="stylesheet" href="/static/survey.css"></head>'
    '<body><main class="thanks"><h1>Hệ thống đang bận</h1><p>Xin Ông/Bà thử lại sau ít phút. '
    "Câu trả lời đã gửi từ trang khảo sát được giữ lại trên máy và sẽ tự gửi lại.</p>"
    '<p lang="en">The service is busy; please try again in a few minutes.</p></main></body></html>'
)


def _location(loc: Sequence[int | str]) -> str:
    """``("body", 0, "month")`` → ``[0].month``; ``("query", "level")`` → ``level``."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    return text or "(body)"


def add_exception_handlers(app: FastAPI) -> None:
    """Every error the application answers, in the API's shape (``ErrorBody``)."""

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        body = {"detail": exc.message, "errors": [error.as_dict() for error in exc.errors]}
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own refusals (a body that is not JSON, an unknown path) in the
        # same shape as ours.
        errors = [FieldError("(body)", exc.detail).as_dict()] if exc.status_code == 400 else []
        return JSONResponse(
            {"detail": exc.detail, "errors": errors},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(_location(error["loc"]), error["msg"]).as_dict() for error in exc.errors()
        ]
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    # Last nets for input the request's own checks did not name (they name the field
    # wherever they can): the whole body is refused with a 422 in the API's error shape.
    unprocessable = {
        # A NUL in a text, a number beyond its column.
        DataError: "holds a value the database cannot store (a NUL character or a number"
        " out of range)",
        # A lone surrogate ("\\ud800" in JSON) parses into a str nothing can encode.
        UnicodeEncodeError: "holds text that is not valid Unicode (a lone surrogate)",
        RecursionError: "is nested too deeply",
    }

    async def _unprocessable(_: Request, exc: Exception) -> JSONResponse:
        message = next(text for kind, text in unprocessable.items() if isinstance(exc, kind))
        return JSONResponse(
            {"detail": "the request " + message,
             "errors": [FieldError("(body)", message).as_dict()]},
            status_code=422,
        )  # fmt: skip

    for kind in unprocessable:
        app.add_exception_handler(kind, _unprocessable)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/s/"):  # a citizen reads this one
            return HTMLResponse(
                UNAVAILABLE_PAGE, status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
            )
        return JSONResponse(
            {"detail": "the database is unavailable; try again shortly", "errors": []},
            status_code=503,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )

"""The FastAPI application: lifespan, routers, and one handler for every expected error."""

import importlib.util
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlmodel import Session

from app.alerts.router import router as alerts_router
from app.cases.router import router as cases_router
from app.catalog.router import router as catalog_router
from app.comments.router import router as comments_router
from app.config import Settings, get_settings
from app.dashboard.accounts import router as accounts_router
from app.dashboard.alerts import router as alert_pages_router
from app.dashboard.cases import router as case_pages_router
from app.dashboard.comments import router as comment_pages_router
from app.dashboard.router import router as dashboard_router
from app.db import create_db_engine, database_answers
from app.deps import reject_nul_characters
from app.dossiers.router import router as dossiers_router
from app.errors import ErrorBody, Forbidden
from app.group_commit import write_elsewhere
from app.handlers import RETRY_AFTER_SECONDS, add_exception_handlers
from app.messaging.router import router as opt_out_router
from app.observability import InternalErrorMiddleware, ObservabilityMiddleware, metrics_allowed
from app.ratelimit import RateLimiter, RateLimitMiddleware
from app.reports.router import router as reports_router
from app.reports.service import report_counts
from app.responses.router import router as responses_router
from app.schedule import Schedule
from app.security import SecurityHeadersMiddleware, docs_policy
from app.sending import SendingWorker
from app.stats.router import router as stats_router
from app.submissions.hot_path import SubmissionHotPath
from app.submissions.router import router as submissions_router
from app.submissions.service import store_checked
from app.survey_page.router import router as survey_page_router
from app.surveys.forms import FormCatalog
from app.surveys.router import router as invitations_router
from app.units.router import router as units_router
from app.volumes.router import router as volumes_router
from app.writer_process import WriterProcess

REPORTS = Gauge("sipas_reports", "Monthly report versions, by status", ["status"])
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Swagger UI's files, served by the app: government networks are often closed to CDNs.
DOCS_ASSETS_URL = "/docs-assets"
SWITCH_INTERVAL_SECONDS = 0.0025


def _docs_assets() -> Path:
    """Swagger UI 5 as the fastapi-offline package ships it (only its files are used)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed: make install")
    return Path(spec.submodule_search_locations[0]) / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the engine and the form catalogue are made at start-up."""
    settings = settings or get_settings()
    # Read (or generate) the secret once, not from its file on every request.
    settings = settings.model_copy(update={"secret_key": settings.resolved_secret_key()})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The schedule's threads (tallies, reports, sending) compute while citizens submit:
        # a thread holds the GIL until the switch interval is up (5 ms by default), and a
        # request needs it a dozen times. At 1 ms the submissions' p99 during a start-up
        # catch-up fell from ~290 ms to ~215 ms (bench.catch_up), the catch-up no slower;
        # but under load every handover costs (2.6 ms of CPU a submission, wrk). At 2.5 ms:
        # 2.4 ms a submission, the catch-up's p99 171–181 ms against 1 ms's 164–174 ms.
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        # A broken form file stops start-up here, naming the file and the field.
        app.state.catalog = FormCatalog.from_directory()
        app.state.engine = create_db_engine(
            settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
        )
        app.state.analytics_engine = (
            create_db_engine(settings.analytics_database_url)
            if settings.analytics_database_url
            else app.state.engine
        )
        writer = app.state.writer = (
            WriterProcess(
                settings.database_url, settings.sqlite_synchronous, [store_checked]
            ).start()
            if settings.writer_process
            else None
        )
        write_elsewhere(app.state.engine, writer)
        scheduler = Schedule(settings).start() if settings.report_scheduler else None
        alert_worker = (
            SendingWorker(app.state.engine, app.state.catalog, settings).start()
            if settings.alert_worker
            else None
        )
        yield
        if alert_worker is not None:
            alert_worker.shutdown()
        if scheduler is not None:
            scheduler.shutdown()
        if writer is not None:
            write_elsewhere(app.state.engine, None)
            writer.close()
        app.state.engine.dispose()
        app.state.analytics_engine.dispose()

    app = FastAPI(
        title="SIPAS survey platform",
        version="0.1.0",
        summary="Citizen satisfaction with public services: surveys, analytics, reports.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        max_body_size=settings.max_body_bytes,
        dependencies=[Depends(reject_nul_characters)],
        # The platform observes itself (request log, Prometheus metrics); FastAPI's
        # OpenTelemetry would look up the global providers on every request to find them
        # unconfigured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    docs_page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="SIPAS API",
        swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url="data:,",
    )
    docs = bytes(docs_page.body).decode()
    # Outermost last: every response is observed and carries the security headers, even a
    # 429; phones on weak connections get pages, scripts and exports compressed.
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    limiter = RateLimiter(settings.rate_limit_per_minute)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(SecurityHeadersMiddleware, policies={"/docs": docs_policy(docs)})
    app.add_middleware(ObservabilityMiddleware)
    # Before them all, adding what they add (its few bytes are never compressed): it
    # answers every problem by handing the request on, through them, to the route.
    app.add_middleware(SubmissionHotPath, limiter=limiter)

    def openapi() -> dict[str, Any]:
        """The document, with validation errors in the shape the handlers answer."""
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            shape = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(shape.pop("$defs", {}))
            schemas["HTTPValidationError"] = shape
            schemas.pop("ValidationError", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(docs)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus metrics: requests, latencies, submissions, the reports by status."""
        if not metrics_allowed(request, settings.metrics_key):
            raise Forbidden("metrics are for this machine or a client with the metrics key")
        with Session(request.app.state.engine) as session:
            counts = report_counts(session)
        for status in ("pending", "running", "done", "failed"):
            REPORTS.labels(status).set(counts.get(status, 0))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    add_exception_handlers(app)

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> JSONResponse:
        """``{"status": "ok"}`` when the database answers, 503 otherwise."""
        if database_answers(request.app.state.engine):
            return JSONResponse({"status": "ok"})
        return JSONResponse(
            {"status": "unavailable"}, status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
        )

    # The route every citizen's answer takes is matched first: a request is compared with
    # the routes in order, and this one comes in the most often.
    app.include_router(submissions_router)
    app.include_router(units_router)
    app.include_router(catalog_router)
    app.include_router(volumes_router)
    app.include_router(dossiers_router)
    app.include_router(stats_router)
    app.include_router(responses_router)
    app.include_router(reports_router)
    app.include_router(alerts_router)
    app.include_router(cases_router)
    app.include_router(comments_router)
    app.include_router(dashboard_router)
    app.include_router(accounts_router)
    app.include_router(alert_pages_router)
    app.include_router(case_pages_router)
    app.include_router(comment_pages_router)
    app.include_router(survey_page_router)
    app.include_router(opt_out_router)
    app.include_router(invitations_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=_docs_assets()), name="docs-assets")
    return app

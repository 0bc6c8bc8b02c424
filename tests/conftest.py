"""One migrated, seeded database per run; every test in a transaction rolled back after it."""

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from app import clock
from app.clock import FixedClock
from app.config import Settings, get_settings
from app.db import create_db_engine
from app.deps import get_analytics_session, get_session
from app.main import create_app
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.browsers import launch_chromium, skip_without_chromium
from tests.databases import SERVER_URL, backend, fresh_database
from tests.live_server import LiveServer

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
CITY = ZoneInfo("Asia/Ho_Chi_Minh")
# The moment every test runs at unless it sets another: the data the tests make is dated
# October 2026, a closed month at this moment. No test reads the machine's clock; the
# shifted-clock runs of .ci/run (faketime) prove it.
SUITE_NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CITY)


def pytest_report_header() -> str:
    return f"database backend: {backend()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if SERVER_URL and os.environ.get("CI") == "true":
        # In CI an unreachable PostgreSQL fails the run; it is never skipped silently.
        engine = create_db_engine(SERVER_URL)
        with engine.connect():
            pass
        engine.dispose()


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[FixedClock]:
    """The platform's clock, stopped at ``SUITE_NOW``; a test moves it to test a moment."""
    with clock.using(FixedClock(SUITE_NOW)) as fixed:
        yield fixed


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """Debian's chromium, for a test that drives a page (skipped where it is missing)."""
    skip_without_chromium()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def catalog() -> FormCatalog:
    return FormCatalog.from_directory()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog) -> Iterator[str]:
    """The run's database: migrated and loaded with the Hải Phòng reference data."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference(session, catalog)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits are savepoints inside the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        secret_key_file=tmp_path_factory.mktemp("secret") / "secret",
        public_base_url="https://khaosat.example.vn",
        report_scheduler=False,
        alert_worker=False,  # the alert tests run the worker's passes themselves
        rate_limit_per_minute=0,  # one test client sends many requests; test_security tests it
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def client(app: FastAPI, server: LiveServer, session: Session) -> Iterator[httpx.Client]:
    """Real HTTP to the running application, which works in the test's own session.

    One session for the test and the application keeps one stack of savepoints; the
    request is finished before the test goes on, so the two never use it at once.
    """

    def the_tests_session() -> Session:
        return session

    app.dependency_overrides[get_session] = the_tests_session
    app.dependency_overrides[get_analytics_session] = the_tests_session
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http
    app.dependency_overrides.clear()


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the test's own, for code that commits for real."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def seeded_scratch(scratch_database_url: str, catalog: FormCatalog) -> Iterator[Engine]:
    """An engine on the scratch database, loaded with the reference data."""
    engine = create_db_engine(scratch_database_url)
    with Session(engine) as session:
        seed_reference(session, catalog)
    yield engine
    engine.dispose()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, scratch_database_url: str, tmp_path: Path
) -> Iterator[str]:
    """Point ``sipas`` at the scratch database; returns its URL."""
    monkeypatch.setenv("SIPAS_DATABASE_URL", scratch_database_url)
    monkeypatch.setenv("SIPAS_SECRET_KEY_FILE", str(tmp_path / "secret"))
    get_settings.cache_clear()
    yield scratch_database_url
    get_settings.cache_clear()

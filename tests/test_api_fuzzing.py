"""Property-based fuzzing of the API from its OpenAPI document (schemathesis), with an
admin key, on a database of its own: never a 5xx, and responses match the schema."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlmodel import Session

from app.config import Settings
from app.db import create_db_engine
from app.main import create_app
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog
from tests.conftest import TEST_SECRET
from tests.databases import fresh_database
from tests.factories import api_key
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory, catalog: FormCatalog
) -> Iterator[dict[str, str]]:
    with fresh_database(tmp_path_factory.mktemp("fuzz")) as url:
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference(session, catalog)
            headers = api_key(session, "admin")
            session.commit()
        engine.dispose()
        settings = Settings(database_url=url, secret_key=TEST_SECRET,
                            secret_key_file=Path(tmp_path_factory.mktemp("s")) / "secret",
                            report_scheduler=False, rate_limit_per_minute=0)  # fmt: skip
        app = create_app(settings)
        with LiveServer(app) as server:
            yield {"url": server.url, **headers}


# The document, from an application that is built but not started (no database yet).
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(secret_key=TEST_SECRET, report_scheduler=False)).openapi()
)
FUZZING = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
@settings(FUZZING, max_examples=15)
@given(data=st.data())
def test_no_server_errors_and_responses_match_the_schema(
    operation: Any, fuzzed: dict[str, str], data: st.DataObject
) -> None:
    case = data.draw(operation.as_strategy())
    case.call_and_validate(
        base_url=fuzzed["url"], headers={"Authorization": fuzzed["Authorization"]},
        checks=[not_a_server_error, response_schema_conformance],
    )  # fmt: skip


# As a browser calls them: no key, cookies of any content (a session, a device, a kiosk).
BROWSER_OPERATIONS = [
    op for op in OPERATIONS
    if op.method.upper() == "GET" or op.path.startswith("/s/")
]  # fmt: skip


@pytest.mark.parametrize(
    "operation", BROWSER_OPERATIONS, ids=[op.label for op in BROWSER_OPERATIONS]
)
@settings(FUZZING, max_examples=10)
@given(data=st.data())
def test_no_server_errors_as_a_browser_with_any_cookie(
    operation: Any, fuzzed: dict[str, str], data: st.DataObject
) -> None:
    case = data.draw(operation.as_strategy())
    case.call_and_validate(base_url=fuzzed["url"], checks=[not_a_server_error])

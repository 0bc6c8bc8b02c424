"""GET /healthz tells a load balancer whether this replica can reach its database."""

from pathlib import Path

import httpx

from app.config import Settings
from app.main import create_app
from tests.live_server import LiveServer


def test_healthy_when_the_database_answers(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    unreachable = Settings(
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        secret_key="x" * 40,
        secret_key_file=tmp_path / "secret",
        report_scheduler=False,
    )
    with LiveServer(create_app(unreachable)) as server:
        response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert response.headers["Retry-After"]


def test_openapi_document_is_served(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert "/api/v1/units" in document["paths"]
    assert "/healthz" in document["paths"]

"""Security headers, rate limits, hostile input, request ids, logs and metrics."""

import base64
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models import Counter
from app.security import POLICY
from tests.conftest import TEST_SECRET
from tests.factories import api_key, page_field
from tests.factories import counter as make_counter
from tests.live_server import LiveServer


@pytest.fixture
def counter(session: Session) -> Counter:
    return make_counter(session, "security-q", "S1", "land")


def submission(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": str(uuid.uuid4()), "slug": "security-q", "form_id": "counter-quick",
        "form_version": 1, "answers": {"overall": 5},
    }  # fmt: skip
    body.update(changes)
    return body


@pytest.mark.parametrize("path", ["/s/security-q", "/healthz", "/api/v1/units",
                                  "/static/survey.js", "/nothing-here", "/docs"])  # fmt: skip
def test_every_response_carries_the_security_headers(
    client: httpx.Client, counter: Counter, path: str
) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_the_survey_page_has_no_inline_script_or_style(
    client: httpx.Client, counter: Counter
) -> None:
    page = client.get("/s/security-q")
    assert page.headers["content-security-policy"] == POLICY
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None
    assert "<style" not in page.text
    assert " style=" not in page.text


def test_the_docs_page_allows_its_one_inline_script_by_hash(client: httpx.Client) -> None:
    docs = client.get("/docs")
    (script,) = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in docs.headers["content-security-policy"]


def test_html_in_a_comment_is_escaped_on_the_page(client: httpx.Client, counter: Counter) -> None:
    html = client.get("/s/security-q").text
    token = re.search(r'name="token" value="([^"]*)"', html)
    assert token is not None
    page = client.post("/s/security-q", data={
        "token": token.group(1), "comment": "<script>alert(1)</script>' OR 1=1 --",
    })  # fmt: skip
    assert page.status_code == 422  # overall is missing: the page comes back, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39; OR 1=1 --" in page.text
    assert "<script>alert(1)" not in page.text


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (json.dumps(submission(form_version="one")).encode(), "form_version"),
        (json.dumps(submission(answers=["overall", 5])).encode(), "answers"),
        (json.dumps(submission(id="not-a-uuid")).encode(), "id"),
        (json.dumps(submission(answers={"overall": 9})).encode(), "answers.overall"),
        (json.dumps(submission(answers={"overall": True})).encode(), "answers.overall"),
        (json.dumps(submission(answers={"overall": 5, "x": 1})).encode(), "answers.x"),
        (
            json.dumps(submission(answers={"overall": 5, "comment": "a\x00b"})).encode(),
            "answers.comment",
        ),
    ],
)
def test_bad_bodies_get_a_422_naming_the_field_never_a_500(
    client: httpx.Client, counter: Counter, content: bytes, field: str | None
) -> None:
    response = client.post("/api/v1/responses", content=content,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 422, response.text
    if field is not None:
        assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    "content",
    [b'{"id": "\xff\xfe"}', b"[" * 10_000 + b"]" * 10_000],  # not UTF-8; deeply nested
    ids=["invalid-utf8", "nested"],
)
def test_unparsable_bodies_get_a_400_naming_the_body(client: httpx.Client, content: bytes) -> None:
    response = client.post("/api/v1/responses", content=content,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "(body)"


def test_a_nul_character_in_a_parameter_is_refused_by_name(client: httpx.Client) -> None:
    # Found by schemathesis on PostgreSQL, which cannot compare a text holding NUL.
    response = client.get("/api/v1/counters", params={"unit": "105\x0007"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit"


def test_a_body_over_the_limit_is_refused(client: httpx.Client, counter: Counter) -> None:
    huge = submission(answers={"overall": 5, "comment": "x" * 2_000_000})
    response = client.post("/api/v1/responses", json=huge)
    assert response.status_code == 413


def test_a_forged_or_reused_token_does_not_post_the_page(
    client: httpx.Client, counter: Counter
) -> None:
    forged = client.post("/s/security-q", data={"token": "1.AAAA", "overall": "5"})
    assert forged.status_code == 400
    assert "Phiên khảo sát đã hết hạn" in forged.text


def test_request_ids_and_json_logs_without_personal_data(
    client: httpx.Client, counter: Counter, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sipas.http"):
        response = client.get("/s/security-q?lang=en", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert (
        client.get("/healthz", headers={"X-Request-ID": "<bad id>"}).headers["x-request-id"]
        != "<bad id>"
    )
    (record,) = [r for r in caplog.records if getattr(r, "request_id", "") == "abc-123"]
    assert record.__dict__["route"] == "/s/{slug}"
    line = caplog.text
    assert "security-q" not in line
    assert "127.0.0.1" not in line
    assert "lang=en" not in line


def test_metrics_count_requests_and_submissions(client: httpx.Client, counter: Counter) -> None:
    assert client.post("/api/v1/responses", json=submission()).status_code == 201
    assert client.post("/api/v1/responses", json=submission(answers={})).status_code == 422
    metrics = client.get("/metrics").text
    assert 'sipas_submissions_total{outcome="stored"}' in metrics
    assert 'sipas_submissions_total{outcome="invalid"}' in metrics
    assert 'sipas_http_requests_total{method="POST",route="/api/v1/responses",status="201"}' in (
        metrics
    )
    assert 'sipas_reports{status="done"}' in metrics


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The application with a limit of three submissions a minute per client."""
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET,
                        secret_key_file=tmp_path / "secret", report_scheduler=False,
                        rate_limit_per_minute=3)  # fmt: skip
    with LiveServer(create_app(settings)) as server:
        yield server.url


def test_public_endpoints_are_rate_limited(limited: str) -> None:
    statuses = [
        httpx.post(f"{limited}/api/v1/responses", json=submission(slug="no-such-link"))
        for _ in range(4)
    ]
    assert [s.status_code for s in statuses] == [422, 422, 422, 429]
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].headers["content-security-policy"]  # still every header
    assert httpx.get(f"{limited}/healthz").status_code == 200  # other routes are not limited


def _page_token(client: httpx.Client) -> str:
    return page_field(client.get("/s/security-q").text, "token")


def _refused_cleanly(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-security-policy"] == POLICY
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    "cookie",
    [
        "sipas_session=7.99999999999.sig\u00e9",
        "sipas_session=\u00b2.\u00b2.x",
        "sipas_device=\u00e9\u00e9\u00e9",
    ],
    ids=["session-signature", "session-digits", "device"],
)
def test_a_cookie_with_non_ascii_characters_is_no_cookie(
    client: httpx.Client, counter: Counter, cookie: str
) -> None:
    header = {b"Cookie": cookie.encode()}
    _refused_cleanly(client.get("/dashboard", headers=header), 200)
    posted = client.post("/api/v1/responses", json=submission(), headers=header)
    _refused_cleanly(posted, 201)


@pytest.mark.parametrize(
    "changes",
    [
        {"token": "1.\u00e9\u00e9"},
        {"token": "\u00b2.abc"},
        {"page": "\u00b2"},
        {"form_version": "\u00b2"},
        {"page": "\u0663"},
    ],
    ids=["token-letters", "token-digit", "page", "form-version", "arabic-digit"],
)
def test_a_crafted_page_post_is_answered_never_a_500(
    client: httpx.Client, counter: Counter, changes: dict[str, str]
) -> None:
    fields = {"token": _page_token(client), "overall": "5", **changes}
    response = client.post("/s/security-q", data=fields, follow_redirects=False)
    assert response.status_code in {303, 400}, response.text
    assert response.headers["content-security-policy"] == POLICY


def test_a_start_time_at_the_edge_of_the_calendar_is_a_422(
    client: httpx.Client, counter: Counter
) -> None:
    for started in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        response = client.post("/api/v1/responses", json=submission(started_at=started))
        _refused_cleanly(response, 422)
        assert response.json()["errors"][0]["field"] == "started_at"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/analytics/satisfaction", {"from": "0001-01-01", "to": "2026-10-31"}, "from"),
        ("/api/v1/analytics/satisfaction", {"from": "2026-10-01", "to": "9999-12-31"}, "to"),
        ("/api/v1/analytics/trend", {"from": "1999-12-01", "to": "2026-10-31"}, "from"),
        ("/api/v1/responses", {"from": "0001-01-01", "to": "2026-10-31"}, "from"),
        ("/api/v1/responses", {"from": "2026-10-01", "to": "2026-10-31", "cursor":
         base64.urlsafe_b64encode(f"0001-01-01T00:00:00+14:00|{uuid.uuid4()}".encode()).decode()},
         "cursor"),
        ("/api/v1/responses", {"from": "2026-10-01", "to": "2026-10-31", "cursor":
         base64.urlsafe_b64encode(f"2026-10-01T00:00:00|{uuid.uuid4()}".encode()).decode()},
         "cursor"),
        ("/api/v1/responses", {"from": "2026-10-01", "to": "2026-10-31", "cursor": "\u00e9"},
         "cursor"),
    ],
    ids=["from-year-1", "to-year-9999", "trend-1999", "export-year-1", "cursor-year-1",
         "cursor-naive", "cursor-letter"],
)  # fmt: skip
def test_dates_outside_the_platforms_years_are_a_422(
    client: httpx.Client, session: Session, path: str, params: dict[str, str], field: str
) -> None:
    response = client.get(path, params=params, headers=api_key(session, "analyst"))
    _refused_cleanly(response, 422)
    assert field in {error["field"] for error in response.json()["errors"]}


def test_an_unexpected_error_is_a_500_in_the_error_shape_with_every_header(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET,
                        secret_key_file=tmp_path / "secret", report_scheduler=False)  # fmt: skip
    app = create_app(settings)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug with a secret in it")

    with LiveServer(app) as server, caplog.at_level(logging.ERROR, logger="sipas.errors"):
        response = httpx.get(f"{server.url}/broken", headers={"X-Request-ID": "bug-1"})
    _refused_cleanly(response, 500)
    assert response.json() == {"detail": "internal error; quote request id bug-1", "errors": []}
    assert "secret" not in response.text
    (record,) = [r for r in caplog.records if r.name == "sipas.errors"]
    assert record.__dict__["request_id"] == "bug-1"
    assert record.exc_info is not None

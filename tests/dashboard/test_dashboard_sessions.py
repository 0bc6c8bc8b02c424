"""Dashboard sign-in: sessions held on the server, form posts only from our own pages,
and the headers that keep answers out of caches and on TLS."""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from app.accounts.sessions import SESSION_COOKIE
from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET
from tests.factories import api_key, counter
from tests.live_server import LiveServer


def key_of(session: Session, role: str = "analyst") -> str:
    return api_key(session, role)["Authorization"].removeprefix("Bearer ")


def sign_in(client: httpx.Client, key: str) -> str:
    answer = client.post("/dashboard/login", data={"api_key": key})
    assert answer.status_code == 303, answer.text
    return answer.cookies[SESSION_COOKIE]


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(
    client: httpx.Client, session: Session
) -> None:
    cookie = sign_in(client, key_of(session))
    copied = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    assert "Chỉ tiêu của Kế hoạch" in client.get("/dashboard", headers=copied).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/dashboard").text)
    assert csrf
    assert client.post("/dashboard/logout", data={"csrf": csrf.group(1)}).status_code == 303
    client.cookies.clear()
    assert 'name="password"' in client.get("/dashboard", headers=copied).text
    poster = client.get("/api/v1/units/10507/poster.html", headers=copied)
    assert poster.status_code == 401


def test_a_cookie_that_was_never_issued_is_no_session(client: httpx.Client) -> None:
    forged = {"Cookie": f"{SESSION_COOKIE}=1.99999999999.c2lnbmF0dXJl"}
    assert 'name="password"' in client.get("/dashboard", headers=forged).text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "sibling-site", "foreign-origin", "opaque-origin"],
)
def test_a_login_posted_from_another_site_is_refused(
    client: httpx.Client, session: Session, headers: dict[str, str]
) -> None:
    refused = client.post("/dashboard/login", data={"api_key": key_of(session)}, headers=headers)
    assert refused.status_code == 403
    assert SESSION_COOKIE not in refused.cookies


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {}, {"Origin": "https://khaosat.example.vn"}],
    ids=["same-origin", "no-browser-headers", "public-address"],
)
def test_a_login_from_our_own_page_signs_in(
    client: httpx.Client, session: Session, headers: dict[str, str]
) -> None:
    answer = client.post("/dashboard/login", data={"api_key": key_of(session)}, headers=headers)
    assert answer.status_code == 303


def test_a_survey_page_posted_from_another_site_stores_nothing(
    client: httpx.Client, session: Session
) -> None:
    counter(session, "xsite", "X1", "land")
    page = client.get("/s/xsite").text
    token = re.search(r'name="token" value="([^"]*)"', page)
    assert token is not None
    posted = client.post("/s/xsite", data={"token": token.group(1), "overall": "5"},
                         headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert posted.status_code == 403


def test_answers_stay_out_of_caches_and_static_files_do_not(
    client: httpx.Client, session: Session
) -> None:
    analyst = api_key(session, "analyst")
    export = client.get("/api/v1/responses", params={"from": "2026-10-01", "to": "2026-10-31",
                                                     "format": "csv"}, headers=analyst)  # fmt: skip
    assert export.headers["cache-control"] == "no-store"
    assert client.get("/s/nowhere").headers["cache-control"] == "no-store"
    assert client.get("/static/survey.css").headers.get("cache-control") != "no-store"


def test_behind_a_tls_proxy_every_answer_asks_for_https(client: httpx.Client) -> None:
    plain = client.get("/healthz")
    assert "strict-transport-security" not in plain.headers
    proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")


@pytest.fixture
def metrics_with_key(database_url: str, tmp_path: Path) -> Iterator[str]:
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET,
                        secret_key_file=tmp_path / "secret", report_scheduler=False,
                        metrics_key="m" * 32)  # fmt: skip
    with LiveServer(create_app(settings)) as server:
        yield server.url


def test_metrics_with_a_key_need_the_key(metrics_with_key: str) -> None:
    assert httpx.get(f"{metrics_with_key}/metrics").status_code == 403
    wrong = httpx.get(f"{metrics_with_key}/metrics", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 403
    right = httpx.get(f"{metrics_with_key}/metrics",
                      headers={"Authorization": f"Bearer {'m' * 32}"})  # fmt: skip
    assert right.status_code == 200
    assert "sipas_http_requests_total" in right.text


def test_metrics_without_a_key_answer_only_this_machine(client: httpx.Client) -> None:
    assert client.get("/metrics").status_code == 200  # the test's client is on loopback

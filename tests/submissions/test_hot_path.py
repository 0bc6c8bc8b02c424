"""The submissions' hot path (``app.submissions.hot_path``) on a server of its own: what
it stores is answered as the route answers it, and what it does not store reaches the
route untouched."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from app.models import Response
from tests.databases import scalar


def body(**changes: Any) -> dict[str, Any]:
    sent: dict[str, Any] = {"id": str(uuid.uuid4()), "slug": "quay-dua", "form_id": "counter-quick",
                            "form_version": 1, "answers": {"overall": 5, "staff": 4}}  # fmt: skip
    sent.update(changes)
    return sent


@pytest.fixture
def client(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, timeout=30) as http:
        yield http


def test_a_new_response_is_stored_and_answered_as_the_route_answers(
    client: httpx.Client, scratch_database_url: str
) -> None:
    assert client.post("/api/v1/responses", json=body()).status_code == 201  # reads the copy
    sent = body()
    first = client.post("/api/v1/responses", json=sent)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/responses", json=sent)  # a retry: the route's answer
    assert again.status_code == 200
    assert first.json() == {**again.json(), "status": "stored"}
    assert first.headers["content-type"] == again.headers["content-type"]
    assert {"x-request-id", "server-timing", "content-security-policy"} <= set(first.headers)
    stored = select(func.count()).where(Response.id == uuid.UUID(sent["id"]))
    assert scalar(scratch_database_url, stored) == 1


def test_its_answers_are_counted_and_logged_under_the_route(client: httpx.Client) -> None:
    assert client.post("/api/v1/responses", json=body()).status_code == 201  # reads the copy
    before = counted(client)
    for _ in range(3):
        assert client.post("/api/v1/responses", json=body()).status_code == 201
    assert counted(client) == {name: value + 3 for name, value in before.items()}


def counted(client: httpx.Client) -> dict[str, float]:
    """The metrics that count stored submissions (the registry is the process's)."""
    names = ('sipas_http_requests_total{method="POST",route="/api/v1/responses",status="201"}',
             'sipas_submissions_total{outcome="stored"}')  # fmt: skip
    lines = client.get("/metrics").text.splitlines()
    return {name: float(line.rsplit(" ", 1)[1]) for line in lines for name in names
            if line.startswith(name + " ")}  # fmt: skip


def test_its_submissions_are_rate_limited_each_counted_once(limited_site: str) -> None:
    with httpx.Client(base_url=limited_site, timeout=30) as client:
        stored = [client.post("/api/v1/responses", json=body()) for _ in range(2)]
        retried = client.post("/api/v1/responses", json=json.loads(stored[0].request.content))
        refused = client.post("/api/v1/responses", json=body())
    assert [a.status_code for a in (*stored, retried, refused)] == [201, 201, 200, 429]
    assert {"content-security-policy", "x-request-id", "retry-after"} <= set(refused.headers)


def test_a_device_answering_twice_is_flagged_on_the_hot_path(
    client: httpx.Client, scratch_database_url: str
) -> None:
    phone = {"Cookie": "sipas_device=phone-a"}
    first, second = body(), body()
    for sent in (first, second):
        assert client.post("/api/v1/responses", json=sent, headers=phone).status_code == 201
    flagged = select(Response.flag_repeat_device).where(Response.id == uuid.UUID(second["id"]))
    assert scalar(scratch_database_url, flagged) == 1
    kiosk = {"Cookie": "sipas_device=phone-a; sipas_kiosk=1"}
    third = body()
    assert client.post("/api/v1/responses", json=third, headers=kiosk).status_code == 201
    unflagged = select(Response.flag_repeat_device).where(Response.id == uuid.UUID(third["id"]))
    assert scalar(scratch_database_url, unflagged) == 0


@pytest.mark.parametrize(
    ("request_kwargs", "status", "fields"),
    [
        ({"json": body(answers={"overall": 9})}, 422, ["answers.overall"]),
        ({"json": body(slug="no-such-counter", sector="land")}, 422, ["slug"]),
        ({"json": body(sector="health")}, 422, ["sector"]),
        ({"content": b'{"id": ', "headers": {"Content-Type": "application/json"}}, 422, None),
        ({"json": body(), "params": {"x": "a\x00b"}}, 422, ["x"]),
    ],
    ids=["a bad answer", "an unknown link", "another sector", "broken JSON", "a NUL in the query"],
)
def test_what_the_hot_path_does_not_store_the_route_answers(
    client: httpx.Client,
    request_kwargs: dict[str, Any],
    status: int,
    fields: list[str] | None,
) -> None:
    answer = client.post("/api/v1/responses", **request_kwargs)
    assert answer.status_code == status, answer.text
    if fields is not None:
        assert [error["field"] for error in answer.json()["errors"]] == fields


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(client: httpx.Client) -> None:
    huge = body(answers={"overall": 5, "comment": "x" * 2_000_000})
    assert client.post("/api/v1/responses", json=huge).status_code == 413

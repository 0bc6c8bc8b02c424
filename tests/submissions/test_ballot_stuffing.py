"""Ballot stuffing: the flags rest on what the server issued, not on what a client says.

A page view is one response (its id comes from the page's signed token); the start time
is the server's; a post must carry the device cookie its page was shown to; a response
with no trustworthy start is "unknown", not "fine".
"""

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Counter, Response
from app.submissions.devices import DEVICE_COOKIE
from tests.conftest import CITY
from tests.factories import api_key, page_field
from tests.factories import counter as make_counter


@pytest.fixture
def counter(session: Session) -> Counter:
    return make_counter(session, "ballot-q", "B1", "land")


def page_fields(client: httpx.Client) -> dict[str, str]:
    html = client.get("/s/ballot-q").text
    return {name: page_field(html, name) for name in ("token", "response_id")}


def responses_at(session: Session, counter: Counter) -> list[Response]:
    return list(session.exec(select(Response).where(Response.counter_id == counter.id)))


def test_one_page_view_stores_one_response_however_often_it_posts(
    client: httpx.Client, session: Session, counter: Counter, frozen_clock: clock.FixedClock
) -> None:
    fields = page_fields(client)
    frozen_clock.advance(timedelta(minutes=1))
    for overall, response_id in (("5", fields["response_id"]), ("4", str(uuid.uuid4()))):
        sent = {**fields, "response_id": response_id, "overall": overall}
        posted = client.post("/s/ballot-q", data=sent, follow_redirects=False)
        assert posted.status_code == 303
    (response,) = responses_at(session, counter)
    assert str(response.id) == fields["response_id"]


def test_a_post_with_another_device_cookie_than_its_page_is_refused(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    fields = page_fields(client)
    client.cookies.set(DEVICE_COOKIE, "a-fresh-random-cookie")
    posted = client.post("/s/ballot-q", data={**fields, "overall": "5"})
    assert posted.status_code == 400
    assert "Phiên khảo sát đã hết hạn" in posted.text
    assert responses_at(session, counter) == []


def test_the_start_is_when_the_server_showed_the_page(
    client: httpx.Client, session: Session, counter: Counter, frozen_clock: clock.FixedClock
) -> None:
    hurried, careful = page_fields(client), page_fields(client)
    frozen_clock.advance(timedelta(seconds=1))
    # A start time a client claims is not read from the page's form.
    client.post("/s/ballot-q", data={**hurried, "overall": "5", "started_at": "2020-01-01"})
    frozen_clock.advance(timedelta(seconds=30))
    client.post("/s/ballot-q", data={**careful, "overall": "5"})
    flags = {str(r.id): r.flag_too_fast for r in responses_at(session, counter)}
    assert flags == {hurried["response_id"]: True, careful["response_id"]: False}
    starts = [r.started_at for r in responses_at(session, counter) if r.started_at is not None]
    assert len(starts) == 2
    assert max(starts) - min(starts) < timedelta(seconds=1)  # both pages shown at once


def body(**changes: object) -> dict[str, object]:
    sent: dict[str, object] = {"id": str(uuid.uuid4()), "slug": "ballot-q",
                               "form_id": "counter-quick", "form_version": 1,
                               "answers": {"overall": 5}}  # fmt: skip
    sent.update(changes)
    return sent


def test_the_page_script_posts_its_token_and_the_server_times_it(
    client: httpx.Client, session: Session, counter: Counter, frozen_clock: clock.FixedClock
) -> None:
    fields = page_fields(client)
    frozen_clock.advance(timedelta(seconds=40))
    sent = body(id=fields["response_id"], token=fields["token"], started_at="2020-01-01T00:00Z")
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    (response,) = responses_at(session, counter)
    assert response.flag_too_fast is False
    assert response.started_at is not None
    assert response.started_at.year == clock.now().year


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"token": "1.2.3.4"}, "not a page token this server issued for this link and device"),
        ({"id": str(uuid.uuid4())}, "the page gave its response another id"),
    ],
    ids=["forged", "another-id"],
)
def test_a_token_that_does_not_fit_is_a_422(
    client: httpx.Client, counter: Counter, changes: dict[str, str], message: str
) -> None:
    fields = page_fields(client)
    sent = body(**{"id": fields["response_id"], "token": fields["token"], **changes})
    answer = client.post("/api/v1/responses", json=sent)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "token", "message": message}]


def test_without_a_start_a_response_is_neither_too_fast_nor_fine(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    assert client.post("/api/v1/responses", json=body()).status_code == 201
    (response,) = responses_at(session, counter)
    assert response.flag_too_fast is None
    assert response.excluded is False


def test_the_share_of_flagged_responses_per_counter_shows_an_attack(
    client: httpx.Client, session: Session, counter: Counter, frozen_clock: clock.FixedClock
) -> None:
    make_counter(session, "ballot-q2", "B2", "land")
    for _ in range(3):  # a stuffer: no start time, one device, in a row
        assert client.post("/api/v1/responses", json=body()).status_code == 201
    for _ in range(2):  # citizens at the other counter, through the page
        html = client.get("/s/ballot-q2").text
        fields = {name: page_field(html, name) for name in ("token", "response_id")}
        frozen_clock.advance(timedelta(minutes=11))
        client.post("/s/ballot-q2", data={**fields, "overall": "4"})
    day = clock.today(CITY).isoformat()
    analyst = api_key(session, "analyst")
    answer = client.get("/api/v1/analytics/flags", params={"from": day, "to": day},
                        headers=analyst)  # fmt: skip
    assert answer.status_code == 200
    rows = {row["counter_code"]: row for row in answer.json()["rows"]}
    assert [row["counter_code"] for row in answer.json()["rows"]] == ["B1", "B2"]
    stuffed = {key: rows["B1"][key] for key in ("responses", "start_unknown", "repeat_device",
                                                "excluded", "excluded_share")}  # fmt: skip
    assert stuffed == {"responses": 3, "start_unknown": 3, "repeat_device": 2, "excluded": 2,
                       "excluded_share": 0.6667}  # fmt: skip
    assert (rows["B2"]["responses"], rows["B2"]["excluded"], rows["B2"]["start_unknown"]) == (
        2, 0, 0,
    )  # fmt: skip
    csv = client.get("/api/v1/analytics/flags", params={"from": day, "to": day, "format": "csv"},
                     headers=analyst)  # fmt: skip
    assert csv.text.splitlines()[0].startswith("unit_code,unit_name,counter_code,counter_name")

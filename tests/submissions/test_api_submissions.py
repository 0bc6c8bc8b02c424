"""POST /api/v1/responses: stored once, retries recognised, every bad field named."""

import json
import uuid
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Counter, Response, TextAnswer, Unit
from app.surveys.forms import FormCatalog, decode_codes


@pytest.fixture
def counter(session: Session) -> Counter:
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    found = Counter(unit_id=unit_id, code="Q7", name="Quầy 7", slug="quay7-test")
    session.add(found)
    session.flush()
    return found


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "slug": "quay7-test",
        "form_id": "counter-quick",
        "form_version": 1,
        "language": "vi",
        "sector": "land",
        "procedure_code": "1.013980",
        "answers": {"overall": 5, "access": 4, "staff": 5, "comment": "Cảm ơn"},
        "started_at": "2020-01-01T09:14:02+07:00",
    }
    base.update(changes)
    return base


def test_a_response_is_stored_with_its_context(
    client: httpx.Client, session: Session, catalog: FormCatalog, counter: Counter
) -> None:
    sent = body()
    response = client.post("/api/v1/responses", json=sent)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "stored"
    stored = session.get(Response, uuid.UUID(sent["id"]))
    assert stored is not None
    form = catalog.get("counter-quick", 1)
    assert form is not None
    assert decode_codes(form, stored.answer_codes) == {"overall": 5, "access": 4, "staff": 5}
    assert (stored.counter_id, stored.unit_id, stored.sector_code, stored.channel) == (
        counter.id, counter.unit_id, "land", "counter",
    )  # fmt: skip
    assert (stored.form_version, stored.language, stored.flag_too_fast) == (1, "vi", False)


def test_a_retry_is_200_and_stores_nothing_more(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    sent = body()
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    again = client.post("/api/v1/responses", json=sent)
    assert again.status_code == 200
    assert again.json()["status"] == "already_stored"
    count = session.exec(select(Response).where(Response.id == uuid.UUID(sent["id"]))).all()
    assert len(count) == 1


def test_the_same_id_with_other_answers_is_409(client: httpx.Client, counter: Counter) -> None:
    sent = body()
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    changed = dict(sent, answers={"overall": 1})
    response = client.post("/api/v1/responses", json=changed)
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "id", "message": "already used for another response"}
    ]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"answers": {"overall": 7}}, ["answers.overall"]),
        ({"answers": {"access": 4}}, ["answers.overall"]),
        ({"answers": {"overall": 5, "colour": 2}}, ["answers.colour"]),
        ({"form_version": 9}, ["form_version"]),
        ({"slug": "nowhere"}, ["slug"]),
        ({"sector": None, "procedure_code": None}, ["sector"]),
        ({"procedure_code": "9.999999"}, ["procedure_code"]),
        ({"answers": {"overall": 5, "comment": "x" * 2001}}, ["answers.comment"]),
    ],
)
def test_invalid_responses_are_422_naming_each_field(
    client: httpx.Client, counter: Counter, changes: dict[str, Any], fields: list[str]
) -> None:
    response = client.post("/api/v1/responses", json=body(**changes))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == fields


def test_malformed_bodies_are_422_naming_the_field(client: httpx.Client) -> None:
    response = client.post("/api/v1/responses", json=body(id="not-a-uuid", started_at="today"))
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"id", "started_at"}


def test_answers_faster_than_reading_are_flagged_and_kept(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    sent = body(started_at=clock.now().isoformat())
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    stored = session.get(Response, uuid.UUID(sent["id"]))
    assert stored is not None
    assert (stored.flag_too_fast, stored.excluded) == (True, True)


def test_a_second_answer_from_one_device_within_ten_minutes_is_flagged_and_kept(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    phone = {"Cookie": "sipas_device=phone-a"}
    first, second, other_phone = body(), body(), body()
    assert client.post("/api/v1/responses", json=first, headers=phone).status_code == 201
    assert client.post("/api/v1/responses", json=second, headers=phone).status_code == 201
    other = {"Cookie": "sipas_device=phone-b"}
    assert client.post("/api/v1/responses", json=other_phone, headers=other).status_code == 201
    flags = {
        name: session.get(Response, uuid.UUID(sent["id"]))
        for name, sent in [("first", first), ("second", second), ("other", other_phone)]
    }
    assert {name: r.flag_repeat_device for name, r in flags.items() if r} == {
        "first": False, "second": True, "other": False,
    }  # fmt: skip
    assert flags["second"] is not None
    assert flags["second"].excluded


def test_a_kiosk_is_one_device_for_many_citizens(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    kiosk = {"Cookie": "sipas_kiosk=1"}
    sent = [body(), body()]
    for one in sent:
        assert client.post("/api/v1/responses", json=one, headers=kiosk).status_code == 201
    stored = [session.get(Response, uuid.UUID(one["id"])) for one in sent]
    assert [(r.flag_repeat_device, r.device_hash) for r in stored if r] == [(False, None)] * 2


def test_without_a_cookie_the_address_is_the_device_and_never_stored(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    first, second = body(), body()
    for sent in (first, second):
        assert client.post("/api/v1/responses", json=sent).status_code == 201
    stored = session.get(Response, uuid.UUID(second["id"]))
    assert stored is not None
    assert stored.flag_repeat_device
    assert stored.device_hash is not None
    assert len(stored.device_hash) == 64
    row = " ".join(str(value) for value in stored.model_dump().values())
    assert "127.0.0.1" not in row


def test_a_comment_is_stored_as_clean_text(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    sent = body(answers={"overall": 1, "comment": "Chậm\u000b trễ\r\nquá lâu\rnhé"})
    response = client.post("/api/v1/responses", json=sent)
    assert response.status_code == 201, response.text
    stored = session.exec(
        select(TextAnswer.text).where(TextAnswer.response_id == uuid.UUID(sent["id"]))
    ).one()
    assert stored == "Chậm  trễ\nquá lâu\nnhé"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answers": {"overall": 5, "comment": "x\ud800"}}, "answers.comment"),
        ({"slug": "quay7\ud800"}, "slug"),
        ({"procedure_code": "\udfff"}, "procedure_code"),
        (
            {
                "answers": {
                    "overall": 5,
                    "comment": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
                }
            },
            "answers.comment",
        ),
    ],
    ids=["surrogate-in-comment", "surrogate-in-slug", "surrogate-in-procedure", "deep-nesting"],
)
def test_crafted_text_is_a_422_naming_where(
    client: httpx.Client, counter: Counter, changes: dict[str, Any], field: str
) -> None:
    sent = json.dumps(body(**changes))  # ASCII: a lone surrogate travels as its escape
    response = client.post(
        "/api/v1/responses", content=sent, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    assert "x-content-type-options" in response.headers
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"procedure_code": "2.002481"}, "procedure_code",
         "procedure '2.002481' is of sector 'education', not 'land'"),
        ({"answers": {"overall": [4]}}, "answers.overall", "takes one answer code, not a list"),
    ],
    ids=["procedure-of-another-sector", "a-list-for-one-answer"],
)  # fmt: skip
def test_inconsistent_context_is_a_422_naming_it(
    client: httpx.Client, counter: Counter, changes: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/api/v1/responses", json=body(**changes))
    assert response.status_code == 422
    assert {"field": field, "message": message} in response.json()["errors"]


def test_a_counter_of_one_sector_refuses_another(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    counter.sector_code = "land"
    session.add(counter)
    session.flush()
    response = client.post("/api/v1/responses", json=body(sector="health", procedure_code=None))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "sector", "message": "this link serves sector 'land' only"}
    ]


def test_a_procedure_names_the_sector_when_the_citizen_gives_none(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    sent = body(sector=None, procedure_code="2.002481")
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    stored = session.get(Response, uuid.UUID(sent["id"]))
    assert stored is not None
    assert (stored.sector_code, stored.procedure_code) == ("education", "2.002481")


def test_a_counter_closed_after_the_server_read_it_takes_no_more_answers(
    client: httpx.Client, session: Session, counter: Counter
) -> None:
    assert client.post("/api/v1/responses", json=body()).status_code == 201
    counter.active = False  # the server's copy of the counters still lists it as open
    session.add(counter)
    session.flush()
    closed = client.post("/api/v1/responses", json=body())
    assert closed.status_code == 422, closed.text
    assert [e["field"] for e in closed.json()["errors"]] == ["slug"]

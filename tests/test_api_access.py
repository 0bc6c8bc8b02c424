"""API keys and roles: 401 without a valid key, 403 outside the role or unit."""

import httpx
import pytest
from sqlmodel import Session, select

from app.keys.service import create_api_key, revoke_api_key
from app.models import ApiKey
from tests.factories import api_key


def test_no_key_is_401_with_a_bearer_challenge(client: httpx.Client) -> None:
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer sipas_0000_deadbeef", "Basic dXNlcjpwYXNz", "sipas_x_y"],
)
def test_an_unknown_key_is_401(client: httpx.Client, header: str) -> None:
    assert client.get("/api/v1/units", headers={"Authorization": header}).status_code == 401


def test_a_revoked_key_is_401(client: httpx.Client, session: Session) -> None:
    key, plain = create_api_key(session, "analyst", [], "", actor="test")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    revoke_api_key(session, key.prefix, actor="test")
    assert client.get("/api/v1/units", headers=headers).status_code == 401


def test_keys_are_stored_only_as_hashes(session: Session) -> None:
    key, plain = create_api_key(session, "admin", [], "", actor="test")
    row = session.exec(select(ApiKey).where(ApiKey.id == key.id)).one()
    assert plain not in (row.key_sha256, row.prefix, row.label)
    assert len(row.key_sha256) == 64


def test_analysts_read_but_do_not_administer(client: httpx.Client, session: Session) -> None:
    headers = api_key(session, "analyst")
    assert client.get("/api/v1/procedures", headers=headers).status_code == 200
    created = client.post(
        "/api/v1/units",
        headers=headers,
        json={"code": "NEW", "name": "Mới", "level": "ward", "parent_code": "31"},
    )
    assert created.status_code == 403


def test_a_unit_key_sees_only_its_units(client: httpx.Client, session: Session) -> None:
    headers = api_key(session, "unit", ["10507"])
    units = client.get("/api/v1/units", headers=headers).json()
    assert [unit["code"] for unit in units] == ["10507"]
    assert client.post("/api/v1/volumes", headers=headers, json=[]).status_code == 403


def test_unit_keys_need_units_and_other_keys_take_none(session: Session) -> None:
    from app.errors import Invalid

    with pytest.raises(Invalid):
        create_api_key(session, "unit", [], "", actor="test")
    with pytest.raises(Invalid):
        create_api_key(session, "analyst", ["10507"], "", actor="test")
    with pytest.raises(Invalid, match="unknown unit"):
        create_api_key(session, "unit", ["nope"], "", actor="test")

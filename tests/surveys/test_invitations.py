"""Invitations: one dossier, one link, one answer."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, select

from app.models import Invitation, Response, utc_now
from tests.factories import api_key


def invite(client: httpx.Client, headers: dict[str, str], dossier: str = "HS-0001") -> Any:
    response = client.post(
        "/api/v1/invitations",
        json={"unit_code": "10507", "procedure_code": "1.001193", "dossier_code": dossier},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def answer(client: httpx.Client, slug: str) -> httpx.Response:
    return client.post(
        "/api/v1/responses",
        json={"id": str(uuid.uuid4()), "slug": slug, "form_id": "counter-quick",
              "form_version": 1, "answers": {"overall": 5}},
    )  # fmt: skip


def test_an_invitation_is_answered_once_with_its_dossiers_context(
    client: httpx.Client, session: Session
) -> None:
    headers = api_key(session, "unit", ["10507"])
    link = invite(client, headers)
    assert link["url"] == f"https://khaosat.example.vn/s/{link['slug']}"
    assert invite(client, headers)["slug"] == link["slug"]  # the same dossier, the same link
    assert answer(client, link["slug"]).status_code == 201
    stored = session.exec(select(Response).where(Response.invitation_id.is_not(None))).one()  # type: ignore[union-attr]
    assert (stored.sector_code, stored.procedure_code) == ("justice", "1.001193")
    assert answer(client, link["slug"]).status_code == 410
    page = client.get(f"/s/{link['slug']}")
    assert page.status_code == 410
    assert "Ông/Bà đã đánh giá hồ sơ này" in page.text


def test_the_dossier_code_is_kept_only_as_a_keyed_hash(
    client: httpx.Client, session: Session
) -> None:
    invite(client, api_key(session, "admin"), dossier="000.00.31.H31-261126-0042")
    stored = session.exec(select(Invitation)).one()
    assert "0042" not in stored.dossier_hash
    assert len(stored.dossier_hash) == 64


def test_an_expired_invitation_is_410(client: httpx.Client, session: Session) -> None:
    link = invite(client, api_key(session, "admin"))
    stored = session.exec(select(Invitation).where(Invitation.slug == link["slug"])).one()
    stored.expires_at = utc_now() - timedelta(minutes=1)
    session.add(stored)
    session.flush()
    assert answer(client, link["slug"]).status_code == 410


def test_invitations_need_an_inviting_role_and_known_codes(
    client: httpx.Client, session: Session
) -> None:
    body = {"unit_code": "10507", "procedure_code": "1.001193", "dossier_code": "X"}
    assert client.post("/api/v1/invitations", json=body,
                       headers=api_key(session, "analyst")).status_code == 403  # fmt: skip
    assert client.post("/api/v1/invitations", json=body,
                       headers=api_key(session, "unit", ["10525"])).status_code == 403  # fmt: skip
    bad = client.post(
        "/api/v1/invitations",
        json={**body, "unit_code": "nope", "procedure_code": "0.0"},
        headers=api_key(session, "admin"),
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["unit_code", "procedure_code"]


def test_the_invitation_qr_is_a_png(client: httpx.Client, session: Session) -> None:
    headers = api_key(session, "admin")
    link = invite(client, headers)
    png = client.get(f"/api/v1/invitations/{link['slug']}/qr.png", headers=headers)
    assert png.content.startswith(b"\x89PNG")


def test_a_retry_of_an_invitations_answer_is_200_though_the_invitation_is_used(
    client: httpx.Client, session: Session
) -> None:
    link = invite(client, api_key(session, "admin"))
    sent = {"id": str(uuid.uuid4()), "slug": link["slug"], "form_id": "counter-quick",
            "form_version": 1, "answers": {"overall": 5}}  # fmt: skip
    assert client.post("/api/v1/responses", json=sent).status_code == 201
    again = client.post("/api/v1/responses", json=sent)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "already_stored"
    sent["answers"] = {"overall": 1}
    assert client.post("/api/v1/responses", json=sent).status_code == 409

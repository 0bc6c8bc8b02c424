"""Units, counters, procedures, targets and volumes over the REST API."""

import httpx
from sqlmodel import Session, col, select

from app.models import AuditLog, Volume
from tests.factories import api_key


def test_admin_adds_a_unit_and_a_counter_with_its_survey_url(
    client: httpx.Client, session: Session
) -> None:
    admin = api_key(session, "admin")
    unit = client.post(
        "/api/v1/units",
        headers=admin,
        json={
            "code": "TTPV-2",
            "name": "Điểm tiếp nhận số 2",
            "level": "department",
            "parent_code": "31",
        },
    )
    assert unit.status_code == 201, unit.text
    counter = client.post(
        "/api/v1/counters",
        headers=admin,
        json={"unit_code": "TTPV-2", "code": "Q1", "name": "Quầy 1", "sector": "land"},
    )
    assert counter.status_code == 201, counter.text
    body = counter.json()
    assert body["url"] == f"https://khaosat.example.vn/s/{body['slug']}"
    listed = client.get("/api/v1/counters", params={"unit": "TTPV-2"}, headers=admin).json()
    assert [c["code"] for c in listed] == ["Q1"]
    actions = session.exec(
        select(AuditLog.action, AuditLog.entity).where(AuditLog.actor.startswith("key:"))
    ).all()
    assert ("create", "unit") in actions
    assert ("create", "counter") in actions


def test_validation_errors_name_the_field(client: httpx.Client, session: Session) -> None:
    admin = api_key(session, "admin")
    response = client.post(
        "/api/v1/units",
        headers=admin,
        json={"code": "BAD CODE", "name": "", "level": "district"},
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"code", "name", "level"}


def test_a_duplicate_unit_is_409(client: httpx.Client, session: Session) -> None:
    admin = api_key(session, "admin")
    response = client.post(
        "/api/v1/units",
        headers=admin,
        json={"code": "10507", "name": "Trùng", "level": "ward", "parent_code": "31"},
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "code", "message": "already in use"}]


def test_admin_corrects_an_unconfirmed_department(client: httpx.Client, session: Session) -> None:
    admin = api_key(session, "admin")
    response = client.patch("/api/v1/units/SYT", headers=admin, json={"confirmed": True})
    assert response.status_code == 200
    assert response.json()["confirmed"] is True


def test_targets_are_data_admins_edit(client: httpx.Client, session: Session) -> None:
    admin = api_key(session, "admin")
    targets = client.get("/api/v1/targets", headers=admin).json()
    sipas = next(t for t in targets if t["indicator"] == "sipas")
    changed = client.patch(
        f"/api/v1/targets/{sipas['id']}", headers=admin, json={"threshold": 0.96}
    )
    assert changed.json()["threshold"] == 0.96
    bad = client.post(
        "/api/v1/targets",
        headers=admin,
        json={
            "indicator": "sector",
            "threshold": 1.5,
            "valid_from_year": 2026,
            "valid_to_year": 2025,
        },
    )
    assert bad.status_code == 422


def test_procedures_are_listed_by_sector(client: httpx.Client, session: Session) -> None:
    reader = api_key(session, "unit", ["10507"])
    procedures = client.get("/api/v1/procedures", params={"sector": "land"}, headers=reader).json()
    assert procedures
    assert {p["sector"] for p in procedures} == {"land"}


def test_volumes_load_from_json(client: httpx.Client, session: Session) -> None:
    analyst = api_key(session, "analyst")
    body = [{"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": 512}]
    response = client.post("/api/v1/volumes", headers=analyst, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 1, "inserted": 1, "updated": 0, "unchanged": 0}
    stored = session.exec(select(Volume).where(Volume.month == "2026-10")).all()
    assert [v.dossiers for v in stored] == [512]


def test_volumes_load_from_csv_all_or_nothing(client: httpx.Client, session: Session) -> None:
    analyst = api_key(session, "analyst")
    csv_body = "month,unit_code,sector,dossiers\n2026-09,10507,land,40\n2026-09,10507,nowhere,40\n"
    response = client.post(
        "/api/v1/volumes",
        headers={**analyst, "Content-Type": "text/csv"},
        content=csv_body.encode(),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "sector", "message": "unknown sector 'nowhere'", "line": 3}
    ]
    assert session.exec(select(Volume).where(Volume.month == "2026-09")).all() == []


def test_a_volumes_header_of_thousands_of_columns_is_a_422(
    client: httpx.Client, session: Session
) -> None:
    csv_body = ",".join(f"month{i % 7}" for i in range(20_000)) + "\n"
    response = client.post(
        "/api/v1/volumes",
        headers={**api_key(session, "analyst"), "Content-Type": "text/csv"},
        content=csv_body.encode(),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "(header)", "message": "20000 columns; a file may have 500", "line": 1}
    ]


def test_volumes_json_errors_name_the_item(client: httpx.Client, session: Session) -> None:
    analyst = api_key(session, "analyst")
    body = [
        {"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": 5},
        {"month": "Oct", "unit_code": "10507", "sector": "land", "dossiers": -1},
    ]
    response = client.post("/api/v1/volumes", headers=analyst, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["[1].month", "[1].dossiers"]
    assert session.exec(select(Volume).order_by(col(Volume.month))).all() == []


def test_a_units_feedback_channels_are_checked_and_stored(
    client: httpx.Client, session: Session
) -> None:
    admin = api_key(session, "admin")
    wrong = {"feedback_phone": "gọi tôi", "feedback_url": "http://x.vn"}
    bad = client.patch("/api/v1/units/10507", headers=admin, json=wrong)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"feedback_phone", "feedback_url"}
    good = client.patch("/api/v1/units/10507", headers=admin,
                        json={"feedback_phone": "0225.3842.111",
                              "feedback_url": "https://dichvucong.gov.vn/"})  # fmt: skip
    assert good.status_code == 200
    assert (good.json()["feedback_phone"], good.json()["feedback_url"]) == (
        "0225.3842.111", "https://dichvucong.gov.vn/",
    )  # fmt: skip
    cleared = client.patch("/api/v1/units/10507", headers=admin, json={"feedback_phone": None})
    assert cleared.json()["feedback_phone"] is None

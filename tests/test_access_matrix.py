"""Every route × every role × unit scope: 401 without a key, 403 outside the role or the
unit, and through otherwise. The table below must name every route of the OpenAPI
document, so a new route cannot ship without a decision on who may call it."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import Counter, FeedbackCase, Invitation, Unit, utc_now
from app.surveys.forms import FormCatalog
from tests.factories import api_key, response_record, store

PUBLIC = "public"
ALL = ("admin", "analyst", "unit")
WHO_MAY = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/s/{slug}"): PUBLIC,
    ("POST", "/s/{slug}"): PUBLIC,
    ("GET", "/s/{slug}/cam-on"): PUBLIC,
    ("POST", "/api/v1/responses"): PUBLIC,
    ("GET", "/api/v1/units"): ALL,
    ("POST", "/api/v1/units"): ("admin",),
    ("PATCH", "/api/v1/units/{code}"): ("admin",),
    ("GET", "/api/v1/counters"): ALL,
    ("POST", "/api/v1/counters"): ("admin",),
    ("PATCH", "/api/v1/counters/{counter_id}"): ("admin",),
    ("GET", "/api/v1/counters/{counter_id}/qr.png"): ALL,
    ("GET", "/api/v1/counters/{counter_id}/qr.svg"): ALL,
    ("GET", "/api/v1/units/{code}/poster.html"): ALL,
    ("GET", "/api/v1/units/{code}/posters.pdf"): ALL,
    ("GET", "/api/v1/sectors"): ALL,
    ("GET", "/api/v1/procedures"): ALL,
    ("POST", "/api/v1/procedures"): ("admin",),
    ("PATCH", "/api/v1/procedures/{code}"): ("admin",),
    ("GET", "/api/v1/targets"): ALL,
    ("POST", "/api/v1/targets"): ("admin",),
    ("PATCH", "/api/v1/targets/{target_id}"): ("admin",),
    ("POST", "/api/v1/volumes"): ("admin", "analyst"),
    ("POST", "/api/v1/dossiers"): ("admin", "analyst"),
    ("GET", "/api/v1/dossiers/handling"): ALL,
    ("GET", "/api/v1/dossiers/streams"): ALL,
    ("GET", "/api/v1/dossiers/pulls"): ("admin", "analyst"),
    ("GET", "/api/v1/analytics/satisfaction"): ALL,
    ("GET", "/api/v1/analytics/targets"): ALL,
    ("GET", "/api/v1/analytics/trend"): ALL,
    ("GET", "/api/v1/analytics/drivers"): ALL,
    ("GET", "/api/v1/analytics/flags"): ALL,
    ("GET", "/api/v1/responses"): ALL,
    ("GET", "/api/v1/reports"): ALL,
    ("POST", "/api/v1/reports"): ("admin", "analyst"),
    ("GET", "/api/v1/reports/{month}.{fmt}"): ALL,
    ("POST", "/api/v1/invitations"): ("admin", "unit"),
    ("GET", "/api/v1/invitations/{slug}/qr.png"): ("admin", "unit"),
    ("GET", "/api/v1/alert-rules"): ("admin",),
    ("POST", "/api/v1/alert-rules"): ("admin",),
    ("PATCH", "/api/v1/alert-rules/{rule_id}"): ("admin",),
    ("PUT", "/api/v1/units/{code}/alert-contacts"): ("admin",),
    ("GET", "/api/v1/alert-deliveries"): ("admin",),
    ("POST", "/api/v1/alert-deliveries/{delivery_id}/retry"): ("admin",),
    ("GET", "/api/v1/cases"): ALL,
    ("GET", "/api/v1/cases/{case_id}"): ALL,
    ("POST", "/api/v1/cases/{case_id}/acknowledge"): ("admin", "unit"),
    ("POST", "/api/v1/cases/{case_id}/resolve"): ("admin", "unit"),
    ("POST", "/api/v1/cases/{case_id}/notes"): ("admin", "unit"),
    ("GET", "/api/v1/comments"): ALL,
    ("PUT", "/api/v1/comments/{response_id}/tags"): ("admin", "analyst"),
}
CASE_ROUTES = {
    ("GET", "/api/v1/cases/{case_id}"),
    ("POST", "/api/v1/cases/{case_id}/acknowledge"),
    ("POST", "/api/v1/cases/{case_id}/resolve"),
    ("POST", "/api/v1/cases/{case_id}/notes"),
}
# Routes that name a unit: a unit key for another unit is refused there (403).
UNIT_SCOPED = {
    ("GET", "/api/v1/counters/{counter_id}/qr.png"),
    ("GET", "/api/v1/counters/{counter_id}/qr.svg"),
    ("GET", "/api/v1/units/{code}/poster.html"),
    ("GET", "/api/v1/units/{code}/posters.pdf"),
    ("POST", "/api/v1/invitations"),
    ("GET", "/api/v1/invitations/{slug}/qr.png"),
    *CASE_ROUTES,
}
# A unit key asking for another unit's invitation or case learns nothing, not even that
# it exists.
HIDDEN = {("GET", "/api/v1/invitations/{slug}/qr.png"), *CASE_ROUTES}
PERIOD = {"from": "2026-10-01", "to": "2026-10-31"}


def test_the_table_names_every_route(app: FastAPI) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert documented == set(WHO_MAY)


@pytest.fixture
def world(session: Session, catalog: FormCatalog) -> dict[str, Any]:
    """A counter, an invitation and a case of ward 10507, and a key per role and scope."""
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    counter = Counter(unit_id=unit_id, code="M1", name="Quầy ma trận", slug="matrix-q")
    invitation = Invitation(slug="matrix-inv", dossier_hash="9" * 64, unit_id=unit_id,
                            sector_code="land", procedure_code="1.013980",
                            expires_at=utc_now())  # fmt: skip
    record = response_record(session, catalog, codes=[("overall", 1)])
    store(session, [record])
    case = FeedbackCase(response_id=record.id, unit_id=unit_id, opened_at=utc_now())
    session.add_all([counter, invitation, case])
    session.flush()
    return {
        "values": {
            "code": "10507",
            "counter_id": counter.id,
            "slug": "matrix-inv",
            "target_id": 1,
            "month": "2026-10",
            "fmt": "csv",
            "case_id": case.id,
            "rule_id": 1,
            "delivery_id": "00000000-0000-4000-8000-000000000000",
            "response_id": str(record.id),
        },
        "keys": {
            "admin": api_key(session, "admin"),
            "analyst": api_key(session, "analyst"),
            "unit": api_key(session, "unit", ["10507"]),
            "other unit": api_key(session, "unit", ["10525"]),
        },
    }


def _call(client: httpx.Client, method: str, path: str, world: dict[str, Any],
          headers: dict[str, str]) -> httpx.Response:  # fmt: skip
    url = path.format(**world["values"])
    if method == "GET":
        return client.get(url, params=PERIOD, headers=headers)
    body = {"unit_code": "10507", "procedure_code": "1.013980", "dossier_code": "HS-1"}
    return client.request(method, url, json=body if "invitations" in path else {},
                          headers=headers)  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path"), sorted(key for key, who in WHO_MAY.items() if who != PUBLIC)
)
def test_each_route_for_each_role(
    client: httpx.Client, world: dict[str, Any], method: str, path: str
) -> None:
    allowed = WHO_MAY[(method, path)]
    assert _call(client, method, path, world, {}).status_code == 401
    forged = {"Authorization": "Bearer sipas_0000_forged"}
    assert _call(client, method, path, world, forged).status_code == 401
    for role, headers in world["keys"].items():
        status = _call(client, method, path, world, headers).status_code
        may = role.removeprefix("other ") in allowed and not (
            role == "other unit" and (method, path) in UNIT_SCOPED
        )
        if may:
            assert status not in (401, 403), (role, status)
        elif role == "other unit" and (method, path) in HIDDEN:
            assert status == 404, (role, status)
        else:
            assert status == 403, (role, status)

"""The analytics API as an analyst uses it: one request, the answer, its errors."""

import csv
import io
import random
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import Session, select

from app.models import Unit, Volume
from app.responses.records import ResponseRecord, insert_records
from app.surveys.forms import FormCatalog
from tests.factories import api_key, response_record, store

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def add_responses(
    session: Session,
    catalog: FormCatalog,
    unit: str,
    sector: str,
    overall: list[int],
    channel: str = "counter",
    day: str = "2026-10-15",
) -> None:
    store(
        session,
        [
            response_record(session, catalog, unit=unit, sector=sector, channel=channel,
                            codes=(("overall", code), ("staff", code)), at=f"{day}T10:00:00+07:00")
            for code in overall
        ],
    )  # fmt: skip


@pytest.fixture
def october(session: Session, catalog: FormCatalog) -> None:
    """Land below its 90% target in two communes, justice well above its 95%."""
    add_responses(session, catalog, "10507", "land", [5] * 70 + [2] * 30)
    add_responses(session, catalog, "10525", "land", [4] * 80 + [3] * 20)
    add_responses(session, catalog, "10507", "justice", [5] * 199 + [1])
    for unit, sector, dossiers in (("10507", "land", 900), ("10525", "land", 300),
                                   ("10507", "justice", 1000)):  # fmt: skip
        unit_id = session.exec(select(Unit.id).where(Unit.code == unit)).one()
        assert unit_id is not None
        session.add(Volume(month="2026-10", unit_id=unit_id, sector_code=sector, dossiers=dossiers))
    session.flush()


def test_which_sectors_are_significantly_below_target(
    client: httpx.Client, session: Session, october: None
) -> None:
    response = client.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2026-10-01", "to": "2026-10-31", "by": "sector"},
        headers=api_key(session, "analyst"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {row["sector"]: row for row in body["rows"]}
    land, justice = rows["land"], rows["justice"]
    # Post-stratified: 900 dossiers at 70%, 300 at 80%.
    assert land["rate"] == pytest.approx((900 * 0.7 + 300 * 0.8) / 1200)
    assert land["target"] == 0.9
    assert land["status"] == "not_met"
    assert land["p_value"] < 0.001
    assert justice["status"] == "met"
    assert body["query"]["weighting"] == "poststratified"
    assert body["unweighted_cells"] == []
    assert land["ci_low"] < land["rate"] < land["ci_high"]


def test_a_unit_key_sees_only_its_units(
    client: httpx.Client, session: Session, october: None
) -> None:
    response = client.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2026-10-01", "to": "2026-10-31", "by": "unit"},
        headers=api_key(session, "unit", ["10525"]),
    )
    assert [row["unit"] for row in response.json()["rows"]] == ["10525"]


def test_cells_without_volumes_are_reported_not_weighted_one(
    client: httpx.Client, session: Session, catalog: FormCatalog, october: None
) -> None:
    add_responses(session, catalog, "10532", "land", [1] * 10)
    body = client.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2026-10-01", "to": "2026-10-31", "by": "sector"},
        headers=api_key(session, "analyst"),
    ).json()
    assert body["unweighted_cells"] == [
        {"unit": "10532", "sector": "land", "month": "2026-10", "responses": 10}
    ]
    land = next(row for row in body["rows"] if row["sector"] == "land")
    assert land["n"] == 200


def test_a_period_without_responses_gives_rows_with_n_zero(
    client: httpx.Client, session: Session
) -> None:
    response = client.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2024-01-01", "to": "2024-01-31"},
        headers=api_key(session, "analyst"),
    )
    assert response.status_code == 200
    (row,) = response.json()["rows"]
    assert (row["n"], row["rate"], row["status"]) == (0, None, None)
    assert row["coverage"] == 0  # none of the period's dossiers is covered


def test_raked_weights_that_cannot_meet_their_margins_say_so(
    client: httpx.Client, session: Session, catalog: FormCatalog, october: None
) -> None:
    """One day against monthly volumes: commune 10507's dossiers include its land ones,
    which had no response that day, so its unit margin and the justice margin disagree."""
    add_responses(session, catalog, "10507", "justice", [5] * 30, day="2026-10-16")
    month = {"from": "2026-10-01", "to": "2026-10-31", "by": "sector", "weighting": "raked"}
    one_day = {**month, "from": "2026-10-16", "to": "2026-10-16"}
    key = api_key(session, "analyst")
    whole = client.get("/api/v1/analytics/satisfaction", params=month, headers=key).json()
    assert whole["warnings"] == []
    assert all(row["raking_gap"] < 1e-10 for row in whole["rows"])
    day = client.get("/api/v1/analytics/satisfaction", params=one_day, headers=key).json()
    (justice,) = day["rows"]
    assert justice["raking_gap"] > 0.1
    (warning,) = day["warnings"]
    assert "raked weights miss a margin" in warning
    poststratified = client.get(
        "/api/v1/analytics/satisfaction", params={**month, "weighting": "poststratified"},
        headers=key,
    ).json()  # fmt: skip
    assert {row["raking_gap"] for row in poststratified["rows"]} == {None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "planet"}, "by"),
        ({"indicator": "happiness"}, "indicator"),
        ({"weighting": "magic"}, "weighting"),
        ({"ci": "bayes"}, "ci"),
        ({"level": "1.5"}, "level"),
        ({"from": "2026-11-01"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    client: httpx.Client, session: Session, params: dict[str, str], field: str
) -> None:
    query = {"from": "2026-10-01", "to": "2026-10-31", **params}
    response = client.get(
        "/api/v1/analytics/satisfaction", params=query, headers=api_key(session, "analyst")
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_csv_has_the_by_keys_then_the_fields(
    client: httpx.Client, session: Session, october: None
) -> None:
    response = client.get(
        "/api/v1/analytics/satisfaction",
        params={"from": "2026-10-01", "to": "2026-10-31", "by": "sector,question",
                "indicator": "sipas", "format": "csv"},
        headers=api_key(session, "analyst"),
    )  # fmt: skip
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0])[:4] == ["sector", "question", "n", "not_answered"]
    answered = {row["question"] for row in rows if row["n"] != "0"}
    assert answered == {"staff"}
    assert {"access_info", "staff_polite", "access", "feedback"} <= {
        row["question"] for row in rows
    }
    assert {row["small_sample"] for row in rows} <= {"1", "0"}  # yes and no, for a spreadsheet


def test_the_plans_indicators_against_their_targets(
    client: httpx.Client, session: Session, october: None
) -> None:
    body = client.get(
        "/api/v1/analytics/targets",
        params={"from": "2026-10-01", "to": "2026-10-31"},
        headers=api_key(session, "analyst"),
    ).json()
    rows = {row["indicator"]: row for row in body["rows"]}
    assert list(rows) == [
        "online_service", "procedure_handling", "land_construction_investment",
        "public_services_health_education", "sipas",
    ]  # fmt: skip
    assert rows["online_service"]["n"] == 0
    land = rows["land_construction_investment"]
    assert (land["n"], land["target"], land["status"]) == (200, 0.9, "not_met")
    assert rows["procedure_handling"]["n"] == 400


def test_a_monthly_series_with_a_trend_test(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    for month, satisfied in (("2026-07", 60), ("2026-08", 70), ("2026-09", 80), ("2026-10", 90)):
        add_responses(session, catalog, "10507", "land", [5] * satisfied + [1] * (100 - satisfied),
                      day=f"{month}-10")  # fmt: skip
    body = client.get(
        "/api/v1/analytics/trend",
        params={"from": "2026-07-01", "to": "2026-10-31", "by": "sector", "weighting": "none"},
        headers=api_key(session, "analyst"),
    ).json()
    (land,) = body["series"]
    assert [p["month"] for p in land["points"]] == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert [p["rate"] for p in land["points"]] == pytest.approx([0.6, 0.7, 0.8, 0.9])
    assert land["trend"]["direction"] == "up"
    assert land["trend"]["slope_per_month"] == pytest.approx(0.1, abs=0.02)


def test_a_trend_runs_by_sector_or_unit_only(client: httpx.Client, session: Session) -> None:
    response = client.get(
        "/api/v1/analytics/trend",
        params={"from": "2026-07-01", "to": "2026-10-31", "by": "channel"},
        headers=api_key(session, "analyst"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "by"


def test_drivers_rank_the_elements_in_plain_words(
    client: httpx.Client, session: Session, october: None
) -> None:
    body = client.get(
        "/api/v1/analytics/drivers",
        params={"from": "2026-10-01", "to": "2026-10-31"},
        headers=api_key(session, "analyst"),
    ).json()
    # The fixture answers only `staff` besides overall: no complete case, no model.
    assert body["drivers"] == []
    assert body["n"] == 0


def test_trend_and_drivers_as_csv_carry_the_figures_of_their_json(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    form = catalog.get("counter-quick", 1)
    assert form is not None
    unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
    assert unit_id is not None
    rng = random.Random(4)
    records = []
    for month in ("2026-09", "2026-10"):
        moment = datetime.fromisoformat(f"{month}-12T10:00:00+07:00").astimezone(UTC)
        for _ in range(300):
            mood = rng.random()
            codes = [
                (e, min(5, max(1, round(1 + 4 * mood + rng.gauss(0, 1)))))
                for e in ("access", "procedure", "staff", "result", "feedback")
            ]
            overall = 5 if mood + rng.gauss(0, 0.2) > 0.5 else 2
            records.append(ResponseRecord(
                id=uuid.uuid4(), submitted_at=moment, unit_id=unit_id, sector_code="land",
                channel="counter", form=form, source="import",
                codes=(("overall", overall), *codes), texts=(), content_sha256="0" * 64,
            ))  # fmt: skip
    insert_records(session.connection(), records, ZONE)
    headers = api_key(session, "analyst")
    period = {"from": "2026-09-01", "to": "2026-10-31", "weighting": "none"}

    def both(path: str, **params: str) -> tuple[Any, list[dict[str, str]]]:
        body = client.get(path, params={**period, **params}, headers=headers).json()
        response = client.get(path, params={**period, **params, "format": "csv"}, headers=headers)
        assert response.headers["content-type"].startswith("text/csv")
        return body, list(csv.DictReader(io.StringIO(response.text)))

    body, rows = both("/api/v1/analytics/trend", by="sector")
    (land,) = body["series"]
    assert [(r["sector"], r["month"]) for r in rows] == [("land", "2026-09"), ("land", "2026-10")]
    assert [float(r["rate"]) for r in rows] == [p["rate"] for p in land["points"]]
    assert {float(r["trend_p_value"]) for r in rows} == {land["trend"]["p_value"]}
    body, rows = both("/api/v1/analytics/drivers")
    assert len(body["drivers"]) == 5
    assert [r["element"] for r in rows] == [d["element"] for d in body["drivers"]]
    assert [float(r["odds_ratio"]) for r in rows] == [d["odds_ratio"] for d in body["drivers"]]
    assert [r["text_vi"] for r in rows] == [d["text"]["vi"] for d in body["drivers"]]

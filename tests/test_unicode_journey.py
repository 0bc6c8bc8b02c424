"""Any text a citizen's phone can send travels submission → export → report, or is
refused at the door with a 4xx naming the field: surrogates, controls, bidirectional
marks, combining marks, 100,000 characters."""

import csv
import io
import json
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlmodel import Session

from app.models import Counter
from app.months import Month
from app.reports.content import build_report
from app.reports.service import render
from app.surveys.forms import FormCatalog
from tests.conftest import SUITE_NOW
from tests.factories import api_key
from tests.factories import counter as make_counter

pytestmark = pytest.mark.slow

HOSTILE = st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "\x00",
        "\x0b",
        "\x1b[31m",
        "\u202e",
        "\u200f",
        "\u2066",
        "\ufeff",
        "\u0301" * 50,
        "\r",
        "\r\n",
        "=",
        "+",
        "@",
        "\t-",
        "\U0001f600",
        "\uffff",
        "\x7f\x85",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(HOSTILE, st.text(max_size=20)), max_size=30).map("".join),
    st.integers(min_value=2001, max_value=100_000).map(lambda n: "ơ" * n),
)


@pytest.fixture
def counter(session: Session) -> Counter:
    return make_counter(session, "unicode-q", "U1", "land")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(comment=TEXT)
@example(comment="Chậm\u000b trễ\r=cmd|' /C calc'!A0 \u202egọi 0912345678")
@example(comment="lỗi\ud800")
def test_every_text_is_stored_exported_and_reported_or_refused_at_the_door(
    client: httpx.Client, session: Session, catalog: FormCatalog, counter: Counter, comment: str
) -> None:
    body = {"id": str(uuid.uuid4()), "slug": "unicode-q", "form_id": "counter-quick",
            "form_version": 1, "answers": {"overall": 1, "comment": comment}}  # fmt: skip
    # ASCII JSON: a lone surrogate travels as its escape, as a phone's JSON would send it.
    posted = client.post("/api/v1/responses", content=json.dumps(body),
                         headers={"content-type": "application/json"})  # fmt: skip
    if posted.status_code != 201:
        assert posted.status_code in {413, 422}, posted.text
        assert posted.json()["errors"], posted.text
        return
    day = SUITE_NOW.date().isoformat()
    period = {"from": day, "to": day}
    reader = api_key(session, "analyst")
    exported = client.get("/api/v1/responses", params={**period, "format": "csv"}, headers=reader)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert body["id"] in {row["id"] for row in rows}
    page = client.get("/api/v1/responses", params=period, headers=reader)
    assert page.status_code == 200
    made = render(build_report(session, catalog, Month.of(SUITE_NOW.date())))
    assert made.failures == {}
    assert made.pdf is not None
    assert made.html is not None
    assert made.csv is not None
    assert made.xlsx is not None
    load_workbook(io.BytesIO(made.xlsx))

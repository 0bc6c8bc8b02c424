"""Exporting responses: pages, streamed CSV, masked comments, safe spreadsheet cells."""

import csv
import io
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import Session

from app.privacy import mask_personal_data
from app.surveys.forms import FormCatalog
from app.text import safe_cell
from tests.factories import api_key, response_record, store

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def add(session: Session, catalog: FormCatalog, unit: str, comment: str | None, count: int) -> None:
    store(session, [
        response_record(session, catalog, unit=unit, comment=comment,
                        codes=(("overall", 2), ("improve", 1), ("improve", 3)),
                        at=f"2026-10-05T09:00:{index % 60:02d}+07:00")
        for index in range(count)
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Gọi tôi 0912 345 678", "Gọi tôi [đã ẩn]"),
        ("ĐT: +84 912.345.678.", "ĐT: [đã ẩn]."),
        ("CCCD 031204001234 nhé", "CCCD [đã ẩn] nhé"),
        ("mail nguoi.dan+hp@example.com.vn", "mail [đã ẩn]"),
        ("Chờ 45 phút, 2 lần", "Chờ 45 phút, 2 lần"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


def october_csv(client: httpx.Client, session: Session) -> httpx.Response:
    """October's responses exported as CSV, with an analyst's key."""
    return client.get(
        "/api/v1/responses",
        params={"from": "2026-10-01", "to": "2026-10-31", "format": "csv"},
        headers=api_key(session, "analyst"),
    )


def test_pages_follow_the_cursor_to_the_end(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    add(session, catalog, "10507", None, 7)
    headers = api_key(session, "analyst")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"from": "2026-10-01", "to": "2026-10-31", "limit": "3"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/responses", params=params, headers=headers).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert page["items"][0]["answers"]["improve"] == [1, 3]


def test_csv_is_streamed_with_masked_comments(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    add(session, catalog, "10507", "=cmd| gọi 0912345678", 2)
    response = october_csv(client, session)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    assert rows[0]["comment"] == "'=cmd| gọi [đã ẩn]"
    assert rows[0]["improve"] == "1;3"
    assert rows[0]["submitted_at"].endswith("+07:00")


def test_a_unit_key_exports_only_its_units(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    add(session, catalog, "10507", None, 2)
    add(session, catalog, "10525", None, 3)
    headers = api_key(session, "unit", ["10525"])
    page = client.get(
        "/api/v1/responses", params={"from": "2026-10-01", "to": "2026-10-31"}, headers=headers
    ).json()
    assert {item["unit_code"] for item in page["items"]} == {"10525"}
    other = client.get(
        "/api/v1/responses",
        params={"from": "2026-10-01", "to": "2026-10-31", "unit": "10507"},
        headers=headers,
    )
    assert other.status_code == 403


def test_a_forged_cursor_is_422(client: httpx.Client, session: Session) -> None:
    response = client.get(
        "/api/v1/responses",
        params={"from": "2026-10-01", "to": "2026-10-31", "cursor": "bm9wZQ=="},
        headers=api_key(session, "analyst"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (" =1+1", "' =1+1"),
        ("\x0b=cmd|' /C calc'!A0", "' =cmd|' /C calc'!A0"),
        ("\t@SUM(A1)", "'\t@SUM(A1)"),
        ("\u3000+1", "'\u3000+1"),
        ("Tốt\r\nlắm", "Tốt\nlắm"),
        ("lỗi\ud800", "lỗi\ufffd"),
    ],
)
def test_cells_are_text_after_leading_blanks_and_controls(value: str, cell: str) -> None:
    assert safe_cell(value) == cell


def test_a_bare_cr_in_a_stored_comment_never_splits_a_csv_row(
    client: httpx.Client, session: Session, catalog: FormCatalog
) -> None:
    # Written outside the platform's checks: the export must survive it all the same.
    add(session, catalog, "10507", "Cán bộ tốt\r=cmd|' /C calc'!A0", 1)
    add(session, catalog, "10507", "\r=cmd|' /C calc'!A0\x0b", 1)
    response = october_csv(client, session)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) == 3  # the header and the two responses
    comments = sorted(row[rows[0].index("comment")] for row in rows[1:])
    assert comments == ["'\n=cmd|' /C calc'!A0 ", "Cán bộ tốt\n=cmd|' /C calc'!A0"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

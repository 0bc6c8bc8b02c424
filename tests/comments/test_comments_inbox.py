"""The comments inbox: a period's comments, masked, filtered, found with or without
diacritics, tagged by analysts and exported; a unit sees its own only."""

import csv
import io
import re

import httpx
import pytest
from sqlmodel import Session

from app.surveys.forms import FormCatalog
from tests.dashboard.test_dashboard_sessions import key_of, sign_in
from tests.factories import api_key, response_record, store

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.fixture
def comments(session: Session, catalog: FormCatalog) -> dict[str, str]:
    """Four October comments in two wards, and one from September."""
    said = {
        "slow": "Thủ tục rườm rà, phải chờ đợi lâu; gọi 0912 345 678 không ai nghe",
        "thanks": "Cán bộ đất đai hướng dẫn tận tình",
        "fees": "Phí cao quá",
        "other": "Nhà vệ sinh bẩn",
        "old": "Thủ tục rườm rà từ tháng trước",
    }
    store(session, [
        response_record(session, catalog, comment=said["slow"], codes=[("overall", 1)],
                        at="2026-10-20T09:00:00+07:00"),
        response_record(session, catalog, comment=said["thanks"], codes=[("overall", 5)],
                        at="2026-10-21T09:00:00+07:00"),
        response_record(session, catalog, comment=said["fees"], codes=[("overall", 2)],
                        sector="justice", at="2026-10-22T09:00:00+07:00"),
        response_record(session, catalog, unit="10525", comment=said["other"],
                        codes=[("overall", 3)], at="2026-10-23T09:00:00+07:00"),
        response_record(session, catalog, comment=said["old"], codes=[("overall", 1)],
                        at="2026-09-20T09:00:00+07:00"),
        response_record(session, catalog, codes=[("overall", 1)]),  # no comment
    ])  # fmt: skip
    return said


def texts(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [c["text"] for c in answer.json()["comments"]]


def test_a_periods_comments_newest_first_masked(
    client: httpx.Client, session: Session, comments: dict[str, str]
) -> None:
    answer = client.get("/api/v1/comments", params=OCTOBER, headers=api_key(session, "analyst"))
    assert texts(answer) == [
        comments["other"], comments["fees"], comments["thanks"],
        "Thủ tục rườm rà, phải chờ đợi lâu; gọi [đã ẩn] không ai nghe",
    ]  # fmt: skip
    assert answer.json()["matched"] == 4


@pytest.mark.parametrize("words", ["rườm rà", "ruom ra", "RƯỜM RÀ", "Ruom Ra"])
def test_words_are_found_with_or_without_diacritics(
    client: httpx.Client, session: Session, comments: dict[str, str], words: str
) -> None:
    answer = client.get("/api/v1/comments", params={**OCTOBER, "q": words},
                        headers=api_key(session, "analyst"))  # fmt: skip
    assert len(texts(answer)) == 1
    assert texts(answer)[0].startswith("Thủ tục rườm rà")


def test_a_masked_number_cannot_be_searched_for(
    client: httpx.Client, session: Session, comments: dict[str, str]
) -> None:
    answer = client.get("/api/v1/comments", params={**OCTOBER, "q": "0912"},
                        headers=api_key(session, "analyst"))  # fmt: skip
    assert texts(answer) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "10525"}, ["other"]),
        ({"sector": "justice"}, ["fees"]),
        ({"overall": "5"}, ["thanks"]),
        ({"q": "đất đai", "overall": "5"}, ["thanks"]),
        ({"flag": "flagged"}, []),
    ],
)
def test_filters(
    client: httpx.Client, session: Session, comments: dict[str, str],
    params: dict[str, str], expected: list[str],
) -> None:  # fmt: skip
    answer = client.get("/api/v1/comments", params={**OCTOBER, **params},
                        headers=api_key(session, "analyst"))  # fmt: skip
    assert texts(answer) == [comments[key] for key in expected]


def test_a_unit_reads_only_its_own_comments(
    client: httpx.Client, session: Session, comments: dict[str, str]
) -> None:
    own = api_key(session, "unit", ["10525"])
    assert texts(client.get("/api/v1/comments", params=OCTOBER, headers=own)) == [comments["other"]]
    other = client.get("/api/v1/comments", params={**OCTOBER, "unit": "10507"}, headers=own)
    assert other.status_code == 403


def test_tags_are_kept_filtered_on_and_exported(
    client: httpx.Client, session: Session, comments: dict[str, str]
) -> None:
    analyst = api_key(session, "analyst")
    (first, *_) = client.get("/api/v1/comments", params={**OCTOBER, "q": "phi cao"},
                             headers=analyst).json()["comments"]  # fmt: skip
    tags = {"tags": ["Lệ phí ", "lệ phí", "ưu tiên"]}
    tagged = client.put(f"/api/v1/comments/{first['response_id']}/tags", json=tags,
                        headers=analyst)  # fmt: skip
    assert tagged.json() == {"tags": ["lệ phí", "ưu tiên"]}
    bad = client.put(f"/api/v1/comments/{first['response_id']}/tags",
                     json={"tags": ["<script>"]}, headers=analyst)  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "tags[0]"
    by_tag = client.get("/api/v1/comments", params={**OCTOBER, "tag": "lệ phí"}, headers=analyst)
    assert texts(by_tag) == [comments["fees"]]
    exported = client.get("/api/v1/comments", headers=analyst,
                          params={**OCTOBER, "format": "csv", "bom": "true"})  # fmt: skip
    assert exported.text.startswith("\ufeffsubmitted_at,unit,unit_name")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert len(rows) == 4
    assert {row["tags"] for row in rows} == {"", "lệ phí; ưu tiên"}
    assert all("0912" not in row["text"] for row in rows)


def test_the_inbox_page_filters_and_tags(
    client: httpx.Client, session: Session, comments: dict[str, str]
) -> None:
    sign_in(client, key_of(session, "analyst"))
    page = client.get("/dashboard/comments", params={**OCTOBER, "q": "ruom ra"})
    assert page.status_code == 200
    assert "gọi [đã ẩn] không ai nghe" in page.text
    assert "Cán bộ đất đai" not in page.text
    assert "<strong>1</strong> góp ý khớp" in page.text
    assert "/api/v1/comments?from=2026-10-01&amp;to=2026-10-31&amp;q=ruom+ra&amp;format=csv" in (
        page.text
    )
    found = re.search(r'action="/dashboard/comments/([0-9a-f-]+)/tags"', page.text)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    assert csrf
    form = {"csrf": csrf.group(1), "tags": "thủ tục, chờ lâu",
            "back": "from=2026-10-01&to=2026-10-31&q=ruom+ra"}  # fmt: skip
    saved = client.post(f"/dashboard/comments/{found.group(1)}/tags", data=form)
    assert saved.status_code == 303
    again = client.get(saved.headers["location"])
    assert "nhãn: chờ lâu, thủ tục" in again.text

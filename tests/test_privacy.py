"""Personal data in comments: masked before storing and in every export.

The corpus holds the ways Vietnamese citizens write phone numbers, ID numbers and
e-mail addresses, and the numbers that are not personal and must stay readable.
"""

import uuid

import httpx
import pytest
from sqlmodel import Session, select

from app.models import TextAnswer
from app.privacy import MASK, mask_personal_data
from tests.factories import counter

PERSONAL = [
    "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "0912–345–678",
    "0912—345—678", "0912/345/678", "(091) 234 5678", "(0912) 345678", "+84 912 345 678",
    "+84912345678", "84912345678", "+84 (0) 912 345 678", "０９１２３４５６７８",
    "0225 3842 111", "0225.3842.111", "02253842111",
    "031204001234", "0312 0400 1234", "031 204 001 234", "031.204.001.234",
    "0312-0400-1234", "031204001",
    "nguoi.dan@example.com", "nguoi.dan+hp@example.com.vn", "a_b@so-noivu.haiphong.gov.vn",
]  # fmt: skip
GLUED = [("SĐT0912345678", "SĐT"), ("sđt:0912345678", "sđt:"), ("ĐT: +84 912.345.678.", "ĐT: "),
         ("CCCD:031204001234", "CCCD:"), ("Zalo 0912345678 nhé", "Zalo ")]  # fmt: skip
NOT_PERSONAL = [
    "Chờ 45 phút, 2 lần", "lệ phí 100.000 đồng", "5.000.000.000 đồng", "hẹn 05/10/2026 09:14",
    "tôi sinh 12/10/1960", "quầy số 7, tầng 2", "Nghị định 61/2018/NĐ-CP", "mã 1.013980",
    "năm 2026", "2.000.000 đ",
]  # fmt: skip


@pytest.mark.parametrize("spelling", PERSONAL)
def test_every_spelling_of_personal_data_is_hidden(spelling: str) -> None:
    masked = mask_personal_data(f"Liên hệ {spelling} giúp tôi")
    assert masked == f"Liên hệ {MASK} giúp tôi"


@pytest.mark.parametrize(("text", "before"), GLUED)
def test_a_number_glued_to_its_label_is_hidden(text: str, before: str) -> None:
    masked = mask_personal_data(text)
    assert masked.startswith(before + MASK)
    assert not any(character.isdigit() for character in masked)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_numbers_that_are_not_personal_stay_readable(text: str) -> None:
    assert mask_personal_data(text) == text


def test_masking_twice_changes_nothing() -> None:
    once = mask_personal_data("Gọi 0912 345 678, CCCD 031204001234")
    assert mask_personal_data(once) == once


def test_a_comment_is_masked_before_it_is_stored(client: httpx.Client, session: Session) -> None:
    counter(session, "privacy-q", "P1", "land")
    answer_id = str(uuid.uuid4())
    comment = "Cán bộ hẹn mãi. SĐT0912–345–678, CCCD 031 204 001 234"
    sent = client.post("/api/v1/responses", json={
        "id": answer_id, "slug": "privacy-q", "form_id": "counter-quick", "form_version": 1,
        "answers": {"overall": 2, "comment": comment},
    })  # fmt: skip
    assert sent.status_code == 201, sent.text
    stored = session.exec(
        select(TextAnswer.text).where(TextAnswer.response_id == uuid.UUID(answer_id))
    ).one()
    assert stored == f"Cán bộ hẹn mãi. SĐT{MASK}, CCCD {MASK}"

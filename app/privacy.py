"""Masking personal data in citizens' free text: phone numbers, ID numbers, e-mail.

Comments are masked before they are stored (the raw text is never kept: nothing the
platform does needs it) and again in every export, for text stored before this rule.
The rules lean towards hiding: a citizen's number must not leak, and an analyst loses
little when a long number that was not personal is hidden too.
"""

import re
import unicodedata

MASK = "[đã ẩn]"

# Any Unicode decimal digit (full-width ０-９, Arabic-Indic, …): read as its ASCII digit,
# so that "０９１２…" is found like "0912…".
_ANY_DIGIT = re.compile(r"[^\x00-\x7f]", re.ASCII)
_EMAIL = re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\.[\w-]+)+")
# Between the digits of a number people write spaces, dots, dashes of every kind, slashes
# and brackets: "0912–345–678", "(091) 234 5678", "0912/345/678".
_SEP = r"[\s.\-\u2010-\u2015\u2212/()]{0,2}"
# A phone number: 0, 84 or +84, then 8 to 10 more digits (mobiles have 9, landlines 10).
# Only a digit may not come right before it: "SĐT0912345678" is a phone number; but
# "5.000.000.000" is money, and a colon after it makes a clock ("05/10/2026 09:14").
_PHONE = re.compile(rf"(?<![\d+])(?<!\d[.,])(?:\+\s?84|84|\(?0)(?:{_SEP}\d){{8,10}}(?![\d:])")
# A citizen ID (CCCD, 12 digits) in groups: "0312 0400 1234", "031 204 001 234"; and the
# old 9-digit ID card (CMND) written without separators.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d(?:[\s.\-\u2010-\u2015]?\d){11}|\d{9})(?!\d)")


def mask_personal_data(text: str) -> str:
    """Hide e-mail addresses, ID numbers and phone numbers.

    >>> mask_personal_data("Gọi 0912 345 678 hoặc a.b@example.com, CCCD 031204001234")
    'Gọi [đã ẩn] hoặc [đã ẩn], CCCD [đã ẩn]'
    >>> mask_personal_data("Chờ 45 phút, lệ phí 100.000 đồng, hẹn 05/10/2026 09:14")
    'Chờ 45 phút, lệ phí 100.000 đồng, hẹn 05/10/2026 09:14'
    """
    text = _ANY_DIGIT.sub(_ascii_digit, text)
    text = _EMAIL.sub(MASK, text)
    text = _ID_NUMBER.sub(MASK, text)
    return _PHONE.sub(MASK, text)


def _ascii_digit(found: re.Match[str]) -> str:
    character = found.group()
    return str(unicodedata.digit(character)) if character.isdecimal() else character

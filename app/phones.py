"""The applicant's phone: normalised, kept only encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256 tag, from the ``cryptography`` package), with a key derived from the
server's secret, and erased when the invitation window closes."""

import base64
import re

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_MOBILE = re.compile(r"^0[35789][0-9]{8}$")


def normal_phone(text: str) -> str | None:
    """A Vietnamese mobile number as ten digits from 0; None when it is not one.

    >>> normal_phone("+84 912 345 678"), normal_phone("0912.345.678"), normal_phone("12345")
    ('0912345678', '0912345678', None)
    """
    digits = re.sub(r"[\s.()-]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.match(digits) else None


def phone_box(secret: str) -> Fernet:
    """The cipher of phones: its key is derived from the server's secret for this use
    only, so no other key of the platform can read them."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"sipas dossier phone v1").derive(secret.encode())  # fmt: skip
    return Fernet(base64.urlsafe_b64encode(key))

"""Password hashing with argon2id (argon2-cffi, RFC 9106's recommended parameters).

argon2 is slow and memory-hard on purpose: a stolen table of hashes costs an attacker
64 MiB and tens of milliseconds per guess. The parameters are in each hash, so they can
be raised later; ``needs_rehash`` then tells sign-in to store a new hash.
"""

import functools
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # beyond this a password is a way to burn the server's CPU
_hasher = PasswordHasher()


def _normal(password: str) -> str:
    # The same characters typed on two keyboards may differ in composition (NFC vs NFD).
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(_normal(password))


def verify_password(stored: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored, _normal(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


@functools.cache
def unknown_account_hash() -> str:
    """A hash of a password nobody knows, checked when the name is unknown or disabled, so
    that such a sign-in takes as long as a wrong password for a real account."""
    return hash_password(secrets.token_urlsafe(24))


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused (in Vietnamese, for the form), or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài quá {MAX_LENGTH} ký tự."
    if password.strip().lower() == username.strip().lower():
        return "Mật khẩu không được trùng tên đăng nhập."
    if len(set(password)) < 4:
        return "Mật khẩu quá dễ đoán: cần ít nhất 4 ký tự khác nhau."
    return None

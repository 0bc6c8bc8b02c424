"""API keys: created once, stored as SHA-256, found by their prefix.

A key looks like ``sipas_<prefix>_<secret>``. The prefix is public (it names the key in
lists and logs); the secret has 256 bits, so a plain SHA-256 is a sound way to store it.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.audit import record_action
from app.db import writes
from app.errors import Invalid, NotFound
from app.models import ROLES, ApiKey, ApiKeyUnit, Unit, utc_now
from app.principals import Principal

_PREFIX_BYTES = 6
_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class KeyListing:
    prefix: str
    role: str
    label: str
    unit_codes: tuple[str, ...]
    created_at: str
    revoked: bool


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@writes
def create_api_key(
    session: Session, role: str, unit_codes: Sequence[str], label: str, actor: str
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plain key, which is shown once and never stored."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if role == "unit" and not unit_codes:
        raise Invalid("a unit key needs at least one unit (--unit CODE)")
    if role != "unit" and unit_codes:
        raise Invalid("only unit keys are limited to units")
    units = session.exec(select(Unit).where(col(Unit.code).in_(unit_codes))).all()
    if missing := sorted(set(unit_codes) - {unit.code for unit in units}):
        raise Invalid(f"unknown unit(s): {', '.join(missing)}")
    prefix = secrets.token_hex(_PREFIX_BYTES)
    plain = f"sipas_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    key = ApiKey(prefix=prefix, key_sha256=_digest(plain), role=role, label=label)
    session.add(key)
    session.flush()
    assert key.id is not None
    for unit in units:
        assert unit.id is not None
        session.add(ApiKeyUnit(api_key_id=key.id, unit_id=unit.id))
    record_action(session, actor, "create", "api_key", prefix, detail=f"role={role}")
    return key, plain


def authenticate(session: Session, presented: str) -> Principal | None:
    """The principal behind a presented key, or None when it is unknown or revoked."""
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != "sipas":
        return None
    key = session.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if key is None or key.revoked_at is not None or key.id is None:
        return None
    if not hmac.compare_digest(key.key_sha256, _digest(presented)):
        return None
    return principal_of(session, key.id)


def principal_of(session: Session, key_id: int) -> Principal | None:
    """The principal of a key by its id; None when it is unknown or revoked (a signed-in
    dashboard session ends when its key is revoked)."""
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None or key.id is None:
        return None
    unit_ids = session.exec(select(ApiKeyUnit.unit_id).where(ApiKeyUnit.api_key_id == key.id))
    return Principal("key", key.id, key.prefix, key.role, frozenset(unit_ids))


def list_api_keys(session: Session) -> list[KeyListing]:
    listings = []
    for key in session.exec(select(ApiKey).order_by(col(ApiKey.created_at))):
        codes = session.exec(
            select(Unit.code)
            .join(ApiKeyUnit, col(ApiKeyUnit.unit_id) == col(Unit.id))
            .where(ApiKeyUnit.api_key_id == key.id)
        ).all()
        listings.append(
            KeyListing(
                key.prefix,
                key.role,
                key.label,
                tuple(sorted(codes)),
                key.created_at.isoformat(),
                key.revoked_at is not None,
            )
        )
    return listings


@writes
def revoke_api_key(session: Session, prefix: str, actor: str) -> None:
    key = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None:
        raise NotFound(f"no API key with prefix {prefix}")
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        session.add(key)
        record_action(session, actor, "revoke", "api_key", prefix)

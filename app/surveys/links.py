"""Survey links: a counter's standing QR code, or a single-use invitation for one dossier.

Only a keyed hash of the dossier code is stored: the platform never learns which dossier,
and so which citizen, an answer belongs to.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.audit import record_action
from app.db import writes
from app.errors import FieldError, Forbidden, Gone, Invalid
from app.models import Counter, Invitation, Procedure, Unit, utc_now
from app.principals import Principal
from app.reference_cache import Reference, reference

INVITATION_DAYS = 30


@dataclass(frozen=True, slots=True)
class Link:
    """What a slug fixes about the responses given through it."""

    unit_id: int
    channel: str
    counter_id: int | None = None
    invitation_id: int | None = None
    sector: str | None = None
    procedure_code: str | None = None


def dossier_hash(secret: str, dossier_code: str) -> str:
    return hmac.new(secret.encode(), dossier_code.strip().encode(), hashlib.sha256).hexdigest()


def new_slug() -> str:
    """A short random slug for a counter's or an invitation's survey URL."""
    return secrets.token_urlsafe(8)


def resolve_link(session: Session, slug: str, now: datetime | None = None) -> Link | None:
    """The link behind ``slug``; None when there is none; Gone when an invitation was used
    or has expired."""
    return counter_link(reference(session.connection()), slug) or invitation_link(
        session, slug, now
    )


def counter_link(listed: Reference, slug: str) -> Link | None:
    """The active counter whose standing link is ``slug``, as a link; None when none is."""
    counter = listed.counters.get(slug)
    if counter is None:
        return None
    return Link(counter.unit_id, "counter", counter_id=counter.counter_id,
                sector=counter.sector_code)  # fmt: skip


def invitation_link(session: Session, slug: str, now: datetime | None = None) -> Link | None:
    """The invitation whose link is ``slug``; None when none is; Gone when it was used or
    has expired."""
    invitation = session.exec(select(Invitation).where(Invitation.slug == slug)).first()
    if invitation is None:
        return None
    if invitation.used_at is not None:
        raise Gone("this invitation has already been answered")
    if invitation.expires_at <= (now or utc_now()):
        raise Gone("this invitation has expired")
    return Link(
        invitation.unit_id,
        invitation.channel,
        invitation_id=invitation.id,
        sector=invitation.sector_code,
        procedure_code=invitation.procedure_code,
    )


def mark_used(session: Session, invitation_id: int, at: datetime) -> None:
    invitation = session.get(Invitation, invitation_id)
    assert invitation is not None
    invitation.used_at = at
    session.add(invitation)


@writes
def create_invitation(
    session: Session,
    secret: str,
    principal: Principal,
    unit_code: str,
    procedure_code: str,
    dossier_code: str,
    channel: str,
) -> Invitation:
    """A single-use invitation for a dossier; asking again for the same dossier returns the
    same invitation."""
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    procedure = session.get(Procedure, procedure_code)
    errors = []
    if unit is None or unit.id is None:
        errors.append(FieldError("unit_code", f"no unit {unit_code}"))
    if procedure is None:
        errors.append(FieldError("procedure_code", f"no procedure {procedure_code}"))
    if not dossier_code.strip():
        errors.append(FieldError("dossier_code", "required"))
    if errors or unit is None or unit.id is None or procedure is None:
        raise Invalid("no invitation was made", errors)
    if not principal.can_read_unit(unit.id):
        raise Forbidden("this key may not invite for that unit")
    digest = dossier_hash(secret, dossier_code)
    existing = session.exec(select(Invitation).where(Invitation.dossier_hash == digest)).first()
    if existing is not None:
        return existing
    invitation = Invitation(
        slug=new_slug(),
        dossier_hash=digest,
        unit_id=unit.id,
        sector_code=procedure.sector_code,
        procedure_code=procedure.code,
        channel=channel,
        expires_at=utc_now() + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    record_action(session, principal.actor, "create", "invitation", invitation.slug)
    return invitation


def unit_of_slug(session: Session, slug: str) -> Unit | None:
    """The unit behind a counter's or an invitation's slug, used or not: the thank-you
    page names it after the invitation is spent."""
    counter = session.exec(select(Counter).where(Counter.slug == slug)).first()
    unit_id = (
        counter.unit_id
        if counter is not None
        else session.exec(select(Invitation.unit_id).where(Invitation.slug == slug)).first()
    )
    return session.get(Unit, unit_id) if unit_id is not None else None


def feedback_channels(session: Session, unit: Unit) -> tuple[str | None, str | None]:
    """The unit's hotline and feedback page, each its own or its nearest parent's."""
    phone, url = unit.feedback_phone, unit.feedback_url
    parent_id, seen = unit.parent_id, {unit.id}
    while (phone is None or url is None) and parent_id is not None and parent_id not in seen:
        parent = session.get(Unit, parent_id)
        if parent is None:
            break
        seen.add(parent_id)
        phone, url = phone or parent.feedback_phone, url or parent.feedback_url
        parent_id = parent.parent_id
    return phone, url

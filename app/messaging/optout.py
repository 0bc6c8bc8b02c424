"""Opting out of invitation messages, by the link each message carries."""

from sqlmodel import Session, select

from app.db import writes
from app.errors import NotFound
from app.models import Invitation, OptOut


def invitation_to_opt_out(session: Session, slug: str) -> Invitation:
    """The sampled invitation behind ``slug`` (one sent to a phone); NotFound otherwise."""
    invitation = session.exec(select(Invitation).where(Invitation.slug == slug)).first()
    if invitation is None or invitation.phone_hash is None:
        raise NotFound("no invitation message was sent for this link")
    return invitation


@writes
def opt_out(session: Session, slug: str) -> None:
    """No more messages to the phone of ``slug``'s invitation (asking twice is fine)."""
    phone = invitation_to_opt_out(session, slug).phone_hash
    assert phone is not None  # checked above
    if session.get(OptOut, phone) is None:
        session.add(OptOut(phone_hash=phone))

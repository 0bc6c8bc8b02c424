"""Sending the sample's invitations: the invite when the draw is made, one reminder some
days later if it is still unanswered; never in the quiet hours, never to a phone that
opted out or whose window has closed; each try counted, retried with backoff, given up
after ``message_max_attempts`` (dead) — an invitation is never lost silently: its status
says what became of it."""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import Connection, Engine, or_, update
from sqlmodel import Session, col, select

from app import clock
from app.alerts.conditions import quiet_until
from app.config import Settings
from app.db import writing
from app.messaging.gateways import Gateway, configured_gateway, is_on_this_machine
from app.models import MESSAGE_CHANNELS, Dossier, Invitation, InvitationMessage, OptOut, Unit
from app.phones import phone_box
from app.retry import backoff
from app.text import folded_keep_case

CLAIM = timedelta(minutes=2)
BATCH = 100


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0
    deferred: int = 0  # quiet hours, or no gateway configured


def queue_messages(session: Session, invitations: list[Invitation], settings: Settings) -> None:
    """The invite (now) and the reminder (``reminder_days`` later) of each invitation, in
    the caller's transaction."""
    for invitation in invitations:
        assert invitation.id is not None  # flushed
        reminder = invitation.created_at + timedelta(days=settings.reminder_days)
        for kind, due in (("invite", invitation.created_at), ("reminder", reminder)):
            session.add(InvitationMessage(invitation_id=invitation.id, kind=kind,
                                          channel=settings.message_channel, next_attempt_at=due,
                                          created_at=invitation.created_at))  # fmt: skip


def message_text(unit_name: str, url: str) -> str:
    """The SMS: without diacritics (one SMS segment holds 160 of them, 70 with)."""
    unit = folded_keep_case(unit_name)
    return f"{unit} moi Ong/Ba danh gia muc do hai long (1 phut): {url} . Tu choi: {url}/tu-choi"


def _quiet_until(now: datetime, settings: Settings) -> datetime | None:
    local = now.astimezone(settings.zone)
    ends = quiet_until(local, settings.message_quiet_start, settings.message_quiet_end)
    return None if ends is None else ends.astimezone(now.tzinfo)


def _claim(session: Session, now: datetime) -> list[int]:
    with writing(session):
        ids = [
            i
            for i in session.exec(
                select(InvitationMessage.id)
                .where(
                    InvitationMessage.status == "pending",
                    col(InvitationMessage.next_attempt_at) <= now,
                    or_(col(InvitationMessage.claimed_until).is_(None),
                        col(InvitationMessage.claimed_until) < now),
                )
                .order_by(col(InvitationMessage.next_attempt_at))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if i is not None
        ]  # fmt: skip
        if ids:
            session.execute(
                update(InvitationMessage)
                .where(col(InvitationMessage.id).in_(ids))
                .values(claimed_until=now + CLAIM)
            )
    return ids


def send_due_messages(
    bind: Engine | Connection, settings: Settings, rng: random.Random | None = None
) -> SendSummary:
    """One pass: every message due now, once."""
    rng = rng or random.Random()  # noqa: S311  # jitter spreads retries; no secret here
    summary = SendSummary()
    gateway = configured_gateway(settings)
    now = clock.now()
    quiet = _quiet_until(now, settings)
    with Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint") as session:
        if gateway is None or quiet is not None:
            summary.deferred = _defer(session, now, quiet)
            return summary
        box = phone_box(settings.resolved_secret_key())
        with httpx.Client(timeout=settings.alert_timeout_seconds, follow_redirects=False) as client:
            while ids := _claim(session, clock.now()):
                for message_id in ids:
                    outcome = _send_one(session, message_id, gateway, client, box, settings, rng)
                    setattr(summary, outcome, getattr(summary, outcome) + 1)
                if len(ids) < BATCH:
                    break
    return summary


def _defer(session: Session, now: datetime, until: datetime | None) -> int:
    """Nothing leaves now: what is due waits for the quiet hours' end (or the next pass)."""
    if until is None:
        return 0
    with writing(session):
        moved = session.connection().execute(
            update(InvitationMessage)
            .where(col(InvitationMessage.status) == "pending",
                   col(InvitationMessage.next_attempt_at) <= now)
            .values(next_attempt_at=until)
        )  # fmt: skip
    return int(moved.rowcount or 0)


def _send_one(
    session: Session,
    message_id: int,
    gateway: Gateway,
    client: httpx.Client,
    box: Fernet,
    settings: Settings,
    rng: random.Random,
) -> str:
    message = session.get(InvitationMessage, message_id)
    assert message is not None  # claimed
    invitation = session.get(Invitation, message.invitation_id)
    assert invitation is not None  # a foreign key
    now = clock.now()
    reason = None
    dossier = session.exec(
        select(Dossier).where(Dossier.code_hash == invitation.dossier_hash)
    ).first()
    if invitation.used_at is not None:
        reason = "answered already"
    elif invitation.expires_at <= now:
        reason = "the invitation expired"
    elif invitation.phone_hash and session.get(OptOut, invitation.phone_hash) is not None:
        reason = "opted out"
    elif dossier is None or dossier.phone_cipher is None:
        reason = "the phone was erased: its window closed"
    elif dossier.synthetic and not is_on_this_machine(gateway):
        reason = "a synthetic dossier: sent only to a gateway on this machine"
    if reason is not None:
        return _record(session, message_id, "skipped", reason, None, settings, rng)
    assert dossier is not None
    assert dossier.phone_cipher is not None
    phone = box.decrypt(dossier.phone_cipher).decode()
    unit = session.get(Unit, invitation.unit_id)
    url = f"{settings.public_base_url}/s/{invitation.slug}"
    name = unit.name if unit else ""
    tracking = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{invitation.slug}/{message.kind}"))
    session.rollback()  # end the read before the gateway is called
    sent = gateway.send(client, phone, message_text(name, url),
                        {"unit": name, "link": url}, tracking)  # fmt: skip
    if sent.ok:
        return _record(session, message_id, gateway.channel, None, sent.provider_id, settings,
                       rng)  # fmt: skip
    return _record(session, message_id, "pending", sent.error, None, settings, rng)


def _record(
    session: Session,
    message_id: int,
    status: str,
    error: str | None,
    provider_id: str | None,
    settings: Settings,
    rng: random.Random,
) -> str:
    now = clock.now()
    with writing(session):
        message = session.get(InvitationMessage, message_id)
        assert message is not None  # claimed
        message.claimed_until = None
        message.last_error = error
        if status == "skipped":
            message.status = "skipped"
            outcome = "skipped"
        else:
            message.attempts += 1
            if status in MESSAGE_CHANNELS:  # taken by the gateway of that channel
                message.status, message.sent_at = "sent", now
                message.channel, message.provider_id = status, provider_id
                outcome = "sent"
            elif message.attempts >= settings.message_max_attempts:
                message.status = "dead"
                outcome = "dead"
            else:
                message.next_attempt_at = now + backoff(message.attempts, rng)
                outcome = "retrying"
        session.add(message)
    return outcome

"""Recording a submission: validated, stored and committed before any 2xx goes out.

A retry with the same id and the same body is answered as the first time (idempotent);
the same id with another body is a conflict. The id is checked by the insert's conflict,
not by a read before it: a new response (nearly all of them) costs no extra query.
Concurrent submissions share their commit (``app.db.write_together``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import clock
from app.alerts.outbox import raise_alerts
from app.config import Settings
from app.db import write_together
from app.errors import Conflict, FieldError, Gone, Invalid
from app.models import UNKNOWN_SECTOR, Response
from app.reference_cache import reference
from app.responses.records import ResponseRecord, fingerprint, insert_records
from app.submissions.devices import DeviceTrace, device_keys, is_repeat
from app.submissions.schemas import SubmissionIn
from app.submissions.tokens import read_token
from app.surveys.forms import FormCatalog, validate_answers
from app.surveys.links import counter_link, invitation_link, mark_used
from app.text import NOT_UNICODE, surrogate_paths

# Faster than this per answered question is faster than anyone reads: flagged, not refused.
SECONDS_PER_ANSWER = 1.5


@dataclass(frozen=True, slots=True)
class Recorded:
    submitted_at: datetime
    created: bool


def _existing(session: Session, body: SubmissionIn, digest: str) -> Recorded | None:
    stored = session.exec(
        select(Response.content_sha256, Response.submitted_at).where(Response.id == body.id)
    ).first()
    if stored is None:
        return None
    content_sha256, submitted_at = stored
    if content_sha256 != digest:
        raise Conflict(
            "this id is already stored with other content",
            [FieldError("id", "already used for another response")],
        )
    return Recorded(submitted_at, created=False)


def record_submission(
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    body: SubmissionIn,
    device: DeviceTrace | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store ``body`` once; raise Invalid (422) naming every bad field.

    ``device`` is what the request tells about the device, to flag repeats.
    """
    content = body.model_dump(mode="json")
    if bad := surrogate_paths(content):
        raise Invalid("the response was not stored", [FieldError(f, NOT_UNICODE) for f in bad])
    digest = fingerprint(content)
    errors: list[FieldError] = []
    submitted_at = now or clock.now()
    listed = reference(session.connection())
    link = counter_link(listed, body.slug) or invitation_link(session, body.slug, submitted_at)
    if link is None:
        errors.append(FieldError("slug", "no survey has this link"))
    form = catalog.get(body.form_id, body.form_version)
    if form is None:
        known = catalog.latest(body.form_id)
        field = "form_version" if known else "form_id"
        errors.append(FieldError(field, f"no form '{body.form_id}' version {body.form_version}"))
    elif link is not None and link.channel not in form.channels:
        errors.append(FieldError("form_id", f"form '{form.id}' is not used on {link.channel}"))
    procedure = (link.procedure_code if link else None) or body.procedure_code
    procedure_sector = None
    if procedure:
        procedure_sector = listed.procedures.get(procedure)
        if procedure_sector is None:
            errors.append(FieldError("procedure_code", f"unknown procedure '{procedure}'"))
    served = link.sector if link else None
    if served and body.sector and body.sector != served:
        errors.append(FieldError("sector", f"this link serves sector '{served}' only"))
    # A procedure names its sector, so a citizen who picked one need not pick both, and
    # one who said "not known" is answered by it.
    given = None if body.sector == UNKNOWN_SECTOR and procedure_sector else body.sector
    sector = served or given or procedure_sector
    if sector is None:
        errors.append(FieldError("sector", "this counter serves several sectors: say which"))
    elif sector not in listed.sectors:
        errors.append(FieldError("sector", f"unknown sector '{sector}'"))
    elif procedure_sector is not None and procedure_sector != sector:
        errors.append(
            FieldError(
                "procedure_code",
                f"procedure '{procedure}' is of sector '{procedure_sector}', not '{sector}'",
            )
        )
    started_at = body.started_at
    if body.token is not None:
        cookie = device.cookie if device is not None else None
        page = read_token(settings.resolved_secret_key(), body.slug, body.token, cookie)
        if page is None:
            errors.append(
                FieldError("token", "not a page token this server issued for this link and device")
            )
        elif page.response_id != body.id:
            errors.append(FieldError("token", "the page gave its response another id"))
        else:
            started_at = page.started_at
    checked = validate_answers(form, body.answers) if form else None
    if checked:
        errors.extend(FieldError(f"answers.{qid}", message) for qid, message in checked.errors)
    if errors or link is None or form is None or checked is None or sector is None:
        # A retry of a stored response is answered as the first time, even once its link
        # has expired or its invitation been used: the id decides before the content.
        found = _existing(session, body, digest)
        if found is not None:
            return found
        raise Invalid("the response was not stored", errors)
    answered = len(checked.codes) + len(checked.texts)
    # Unknown when nobody knows when the citizen started: a missing start is no proof of
    # care, and a start the server issued beats one a client claims.
    too_fast = (
        None
        if started_at is None
        else (submitted_at - started_at) < timedelta(seconds=SECONDS_PER_ANSWER * answered)
    )
    keys: tuple[str, ...] = ()
    repeat = False
    if device is not None and not device.kiosk:  # a kiosk is one device for many people
        keys = device_keys(settings.resolved_secret_key(), settings.zone, submitted_at, device)
        repeat = is_repeat(session, keys, link.counter_id, submitted_at, settings.zone)
    record = ResponseRecord(
        id=body.id,
        submitted_at=submitted_at,
        started_at=started_at,
        unit_id=link.unit_id,
        counter_id=link.counter_id,
        invitation_id=link.invitation_id,
        sector_code=sector,
        procedure_code=procedure,
        channel=link.channel,
        form=form,
        source="api",
        codes=checked.codes,
        texts=checked.texts,
        content_sha256=digest,
        language=body.language,
        flag_too_fast=too_fast,
        flag_repeat_device=repeat,
        device_hash=keys[0] if keys else None,
    )
    invitation_id = link.invitation_id

    def store(writer: Session) -> None:
        insert_records(writer.connection(), [record], settings.zone)
        raise_alerts(writer, record, settings.zone)
        if invitation_id is not None:
            mark_used(writer, invitation_id, submitted_at)

    try:
        write_together(session, store)
    except IntegrityError:
        # Another request stored the same id first (answer as for a retry), or the same
        # invitation was answered a moment ago (gone).
        found = _existing(session, body, digest)
        if found is not None:
            return found
        if link.invitation_id is not None:
            raise Gone("this invitation has already been answered") from None
        raise
    return Recorded(submitted_at, created=True)

"""Recording a submission: validated, stored and committed before any 2xx goes out.

A retry with the same id and the same body is answered as the first time (idempotent);
the same id with another body is a conflict. The id is checked by the insert's conflict,
not by a read before it: a new response (nearly all of them) costs no extra query.

A submission is checked against this process's copy of the reference data (counters,
sectors, procedures), then handed to the group-commit writer (``app.group_commit``),
which stores it with every other submission of the moment in one transaction and checks
there that the copy it was checked against is still current. A counter's submission is
stored this way without a thread of its own (``store_at_counter``); an invitation, a
problem or a changed reference takes the path that reads the database
(``record_submission``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import clock
from app.alerts.outbox import raise_alerts
from app.config import Settings
from app.db import engine_of
from app.errors import Conflict, FieldError, Gone, Invalid
from app.group_commit import store, submit
from app.models import UNKNOWN_SECTOR, Response
from app.reference_cache import Reference, last_read, reference
from app.responses.records import ResponseRecord, fingerprint, insert_records
from app.submissions.devices import DeviceTrace, Visit, device_keys, repeats
from app.submissions.schemas import SubmissionIn
from app.submissions.tokens import read_token
from app.surveys.forms import FormCatalog, validate_answers
from app.surveys.links import Link, counter_link, invitation_link, mark_used
from app.text import NOT_UNICODE, surrogate_paths

# Faster than this per answered question is faster than anyone reads: flagged, not refused.
SECONDS_PER_ANSWER = 1.5


@dataclass(frozen=True, slots=True)
class Recorded:
    submitted_at: datetime
    created: bool


class StaleReference(Exception):
    """The reference data changed between a submission's check and its write."""


@dataclass(frozen=True, slots=True)
class Checked:
    """A submission that passed every check, waiting for the writer."""

    record: ResponseRecord
    device_keys: tuple[str, ...]  # the day's first; none from a kiosk
    reference_token: int  # of the reference copy it was checked against
    zone: ZoneInfo


def _existing(session: Session, response_id: object, digest: str) -> Recorded | None:
    stored = session.exec(
        select(Response.content_sha256, Response.submitted_at).where(Response.id == response_id)
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


def content_digest(body: SubmissionIn) -> str:
    """The fingerprint of the submission's content; Invalid when a text is not Unicode."""
    content = body.model_dump(mode="json")
    try:
        return fingerprint(content)
    except UnicodeEncodeError:  # UTF-8 has no lone surrogates: found once, not sought always
        bad = surrogate_paths(content)
        raise Invalid(
            "the response was not stored", [FieldError(f, NOT_UNICODE) for f in bad]
        ) from None


def check_submission(
    listed: Reference,
    link: Link | None,
    catalog: FormCatalog,
    settings: Settings,
    body: SubmissionIn,
    device: DeviceTrace | None,
    submitted_at: datetime,
    digest: str,
) -> Checked:
    """The submission as a record to store; Invalid (422) naming every bad field.

    ``device`` is what the request tells about the device, to flag repeats.
    """
    errors: list[FieldError] = []
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
    if device is not None and not device.kiosk:  # a kiosk is one device for many people
        keys = device_keys(settings.resolved_secret_key(), settings.zone, submitted_at, device)
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
        device_hash=keys[0] if keys else None,
    )
    return Checked(record, keys, listed.token, settings.zone)


def store_checked(session: Session, batch: Sequence[Checked]) -> list[Recorded | Exception]:
    """Store a batch of checked submissions in the caller's write transaction (the group
    commit's writer): each one's result, in order, or the exception that is its answer.

    All of them go in with one insert per table; when that meets a conflict (a retry, the
    same invitation twice), each is stored on its own to find whose it is.
    """
    connection = session.connection()
    listed = reference(connection)
    zone = batch[0].zone  # the server's, the same for every item
    results: list[Recorded | Exception] = [StaleReference() for _ in batch]
    current = [i for i, checked in enumerate(batch) if checked.reference_token == listed.token]
    flagged = repeats(
        connection,
        [Visit(batch[i].device_keys, batch[i].record.counter_id, batch[i].record.submitted_at)
         for i in current],
        zone,
    )  # fmt: skip
    records = {
        i: batch[i].record._replace(flag_repeat_device=repeat)
        for i, repeat in zip(current, flagged, strict=True)
    }
    try:
        with session.begin_nested():
            _store(session, list(records.values()), listed, zone)
    except IntegrityError:
        for i, record in records.items():
            results[i] = _store_alone(session, record, listed, zone)
    else:
        for i, record in records.items():
            results[i] = Recorded(record.submitted_at, created=True)
    return results


def _store(
    session: Session, records: list[ResponseRecord], listed: Reference, zone: ZoneInfo
) -> None:
    insert_records(session.connection(), records, zone)
    for record in records:
        raise_alerts(session, record, zone, listed.alert_rules)
        if record.invitation_id is not None:
            mark_used(session, record.invitation_id, record.submitted_at)
    session.flush()


def _store_alone(
    session: Session, record: ResponseRecord, listed: Reference, zone: ZoneInfo
) -> Recorded | Exception:
    try:
        with session.begin_nested():
            _store(session, [record], listed, zone)
    except IntegrityError as problem:
        # Another request stored the same id first (answer as for a retry), or the same
        # invitation was answered a moment ago (gone).
        try:
            found = _existing(session, record.id, record.content_sha256)
        except Conflict as conflict:
            return conflict
        if found is not None:
            return found
        if record.invitation_id is not None:
            return Gone("this invitation has already been answered")
        return problem
    return Recorded(record.submitted_at, created=True)


def record_submission(
    session: Session,
    catalog: FormCatalog,
    settings: Settings,
    body: SubmissionIn,
    device: DeviceTrace | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store ``body`` once, reading the links and reference data from the database;
    Invalid (422) naming every bad field, Conflict (409), Gone (410)."""
    digest = content_digest(body)
    submitted_at = now or clock.now()
    while True:
        listed = reference(session.connection())
        try:
            link = counter_link(listed, body.slug) or invitation_link(
                session, body.slug, submitted_at
            )
            checked = check_submission(
                listed, link, catalog, settings, body, device, submitted_at, digest
            )
        except (Invalid, Gone):
            # A retry of a stored response is answered as the first time, even once its
            # link has expired or its invitation been used: the id decides before the
            # content.
            found = _existing(session, body.id, digest)
            if found is not None:
                return found
            raise
        try:
            return submit(session, store_checked, checked).result()
        except StaleReference:
            continue  # checked again against the reference as it is now


async def store_at_counter(
    target: Session | Engine,
    catalog: FormCatalog,
    settings: Settings,
    body: SubmissionIn,
    device: DeviceTrace | None,
) -> Recorded | None:
    """Store a counter's submission the quick way: checked against the reference copy
    last read (no query, no thread), its batch's commit awaited. None when it must go the
    reading way (``record_submission``): not a counter's link, a problem to report, or a
    reference that changed since the copy was read."""
    listed = last_read(target if isinstance(target, Engine) else engine_of(target))
    link = counter_link(listed, body.slug) if listed is not None else None
    if listed is None or link is None:
        return None
    try:
        checked = check_submission(
            listed, link, catalog, settings, body, device, clock.now(), content_digest(body)
        )
        return await store(target, store_checked, checked)
    except (Invalid, StaleReference):
        return None

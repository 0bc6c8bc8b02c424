"""One dossier of a vendor's export, read and checked: every problem reported by the
vendor's field name."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from app.dossiers.mapping import DossierMapping
from app.months import Month
from app.phones import normal_phone
from app.responses.records import fingerprint
from app.surveys.links import dossier_hash

YES = frozenset({"1", "true", "có", "co", "yes", "x"})
NO = frozenset({"", "0", "false", "không", "khong", "no"})


class DossierRecord(NamedTuple):
    code_hash: str
    unit_id: int
    procedure_code: str
    sector_code: str
    channel: str
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    finished_month: str | None
    status: str
    applicant_kind: str | None
    complaint: bool
    disliked: bool
    synthetic: bool
    phone: str | None  # normalised; encrypted when stored
    content_sha256: str


@dataclass(frozen=True)
class Reference:
    """What a dossier is checked against: the secret of code hashes, the city's zone, and
    the units and procedures the platform knows."""

    secret: str
    zone: ZoneInfo
    units: Mapping[str, int]  # unit code → id
    procedures: Mapping[str, str]  # national procedure code → sector


def _text(values: Mapping[str, object], names: tuple[str, ...]) -> tuple[str, str]:
    """The first of ``names`` with a value, and the name it was under."""
    for name in names:
        value = values.get(name)
        if value is not None:
            text = value.strip() if isinstance(value, str) else str(value).strip()
            if text:
                return text, name
    return "", names[0] if names else ""


PORTAL_FORMAT = "%Y%m%d%H%M%S"


def _moment(value: str, date_format: str) -> datetime:
    """``value`` read as ``date_format``; the portal's own format by slicing (a quarter of
    a month's import went to ``strptime``), the same checks by ``datetime`` itself.

    >>> _moment("20261008100000", PORTAL_FORMAT)
    datetime.datetime(2026, 10, 8, 10, 0)
    """
    if date_format == PORTAL_FORMAT and len(value) == 14 and value.isascii() and value.isdigit():
        return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                        int(value[10:12]), int(value[12:14]))  # fmt: skip
    return datetime.strptime(value, date_format)


def read_dossier(
    values: Mapping[str, object],
    mapping: DossierMapping,
    reference: Reference,
    report: Callable[[str, str], None],
) -> DossierRecord | None:
    """The dossier in ``values`` (the vendor's names), or None after reporting why not."""
    problems = 0

    def bad(field: str, message: str) -> None:
        nonlocal problems
        problems += 1
        report(field, message)

    def required(ours: str) -> tuple[str, str]:
        value, name = _text(values, mapping.names(ours))
        if not value:
            bad(name or ours, "required")
        return value, name

    def moment(ours: str, needed: bool) -> datetime | None:
        value, name = required(ours) if needed else _text(values, mapping.names(ours))
        if not value:
            return None
        try:
            local = _moment(value, mapping.date_format)
        except ValueError:
            bad(name, f"not a date and time as {mapping.date_format}: {value!r}")
            return None
        return local.replace(tzinfo=reference.zone)

    def flag(ours: str) -> bool:
        value, name = _text(values, mapping.names(ours))
        if value.casefold() in YES:
            return True
        if value.casefold() not in NO:
            bad(name, f"not a yes or no: {value!r}")
        return False

    code, _ = required("code")
    procedure_text, procedure_name = required("procedure")
    procedure = ".".join(procedure_text.split(".")[: mapping.procedure_code_parts])
    sector = reference.procedures.get(procedure)
    if procedure_text and sector is None:
        bad(procedure_name, f"unknown procedure {procedure!r} (from {procedure_text!r})")
    unit_text, unit_name = required("unit")
    unit_code = mapping.units.get(unit_text, unit_text)
    unit_id = reference.units.get(unit_code)
    if unit_text and unit_id is None:
        bad(unit_name, f"unknown unit {unit_text!r}")
    channel_text, channel_name = required("channel")
    channel = mapping.channels.get(channel_text)
    if channel_text and channel is None:
        bad(channel_name, f"unknown channel {channel_text!r}; known: {', '.join(mapping.channels)}")
    received = moment("received_at", needed=True)
    due = moment("due_at", needed=False)
    finished = moment("finished_at", needed=False)
    finished_name = _text(values, mapping.names("finished_at"))[1]
    if received and finished and finished < received:
        bad(finished_name, "finished before it was received")
    if received and due and due < received:
        bad(_text(values, mapping.names("due_at"))[1], "due before it was received")
    status, status_name = required("status")
    if len(status) > 20:
        bad(status_name, "longer than 20 characters")
    applicant, _ = _text(values, mapping.names("applicant_kind"))
    phone_text, phone_name = _text(values, mapping.names("phone"))
    phone = normal_phone(phone_text) if phone_text else None
    if phone_text and phone is None:
        bad(phone_name, "not a Vietnamese mobile number")
    complaint, disliked = flag("complaint"), flag("disliked")
    synthetic = flag("synthetic")
    if problems or unit_id is None or sector is None or channel is None or received is None:
        return None
    month = None if finished is None else str(Month.of(finished.date()))
    content = {
        "procedure": procedure, "unit": unit_code, "channel": channel,
        "received": received.isoformat(), "due": due.isoformat() if due else None,
        "finished": finished.isoformat() if finished else None, "status": status,
        "applicant": applicant or None, "complaint": complaint, "disliked": disliked,
        "phone": phone,
    }  # fmt: skip
    if synthetic:  # only then: the fingerprints of real dossiers stay what they were
        content["synthetic"] = True
    return DossierRecord(
        code_hash=dossier_hash(reference.secret, code),
        unit_id=unit_id,
        procedure_code=procedure,
        sector_code=sector,
        channel=channel,
        received_at=received,
        due_at=due,
        finished_at=finished,
        finished_month=month,
        status=status,
        applicant_kind=applicant[:20] or None,
        complaint=complaint,
        disliked=disliked,
        synthetic=synthetic,
        phone=phone,
        content_sha256=fingerprint(content),
    )

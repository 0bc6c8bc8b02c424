"""Every table of the platform, and nothing else.

Naming: singular snake_case table names, ``*_id`` foreign keys, ``*_at`` timezone-aware
instants (stored as UTC), ``*_date`` calendar dates in the city's time zone.
Constraints live in the database, so imports and every other writer are held to them.

Single-valued coded answers (likert, votes, single choices, yes/no) live in the response
row itself, in ``answer_codes``: one character per coded question of the form version, in
the form's order (``app.surveys.forms.encode_codes``). The analytics ``GROUP BY`` then reads
one row per response, with the cell keys beside the answers, instead of joining a row per
answer; and an import writes one row per response instead of eight. README, "Storage of
answers", has the measurements behind this choice.
"""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    MetaData,
    SmallInteger,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from app import clock

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

UNIT_LEVELS = ("city", "department", "ward", "commune", "special_zone", "central_agency")
CHANNELS = ("counter", "online", "paper")
ROLES = ("admin", "analyst", "unit")
REPORT_STATUSES = ("pending", "running", "done", "failed")


def utc_now() -> datetime:
    return clock.now()


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware instants on every backend: stored in UTC, returned aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every instant must carry its offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# The sector of a response whose citizen did not know it: it has no volumes, so weighted
# estimates list its responses in ``unweighted_cells`` and leave them out (docs/method.md).
UNKNOWN_SECTOR = "unknown"


class Sector(SQLModel, table=True):
    """A field of administrative procedures; targets and weighting cells are per sector."""

    __tablename__ = "sector"

    code: str = Field(primary_key=True, max_length=32)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class Unit(SQLModel, table=True):
    """An administrative unit: the city, an agency, or a commune-level unit."""

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint(_in("level", UNIT_LEVELS), name="level"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    # Where a citizen can complain or give feedback, shown on the thank-you page: the
    # official hotline and web page, when the city has confirmed them (a unit without its
    # own shows its parent's).
    feedback_phone: str | None = Field(default=None, max_length=40)
    feedback_url: str | None = Field(default=None, max_length=300)
    level: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # False where public sources did not confirm the unit exists; admins correct it.
    confirmed: bool = True


class Counter(SQLModel, table=True):
    """A one-stop counter (quầy) of a unit; its QR code leads to ``/s/{slug}``."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=300)
    slug: str = Field(max_length=32, unique=True)
    # A counter that serves one sector fixes it; otherwise the citizen's page asks.
    sector_code: str | None = Field(default=None, foreign_key="sector.code")
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Procedure(SQLModel, table=True):
    """An administrative procedure of the national catalogue (e.g. ``1.013980``)."""

    __tablename__ = "procedure"
    __table_args__ = (CheckConstraint(_in("unit_level", UNIT_LEVELS), name="unit_level"),)

    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(sa_type=Text)
    sector_code: str = Field(foreign_key="sector.code", index=True)
    unit_level: str = Field(max_length=20)


class ReferenceVersion(SQLModel, table=True):
    """One row whose token changes, in the same transaction, with every change to the
    counters, sectors or procedures (triggers of migration 0020): a process keeps its copy
    of them while the token it read them at is current (app.reference_cache)."""

    __tablename__ = "reference_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: int = Field(default=1, primary_key=True)
    token: int = Field(sa_type=BigInteger)


class SurveyForm(SQLModel, table=True):
    """A published form version; its definition hash guards against later edits."""

    __tablename__ = "survey_form"

    form_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(primary_key=True)
    definition_sha256: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """A single-use survey link for one dossier; only a keyed hash of the dossier code is kept."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=32, unique=True)
    dossier_hash: str = Field(max_length=64, unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    sector_code: str = Field(foreign_key="sector.code")
    procedure_code: str = Field(foreign_key="procedure.code")
    channel: str = Field(default="counter", max_length=10)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the daily random sample drew the dossier (the sampled stream); the keyed
    # hash of the applicant's phone, so nobody is invited twice within the set period.
    draw_id: int | None = Field(default=None, foreign_key="sample_draw.id", index=True)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)


class Response(SQLModel, table=True):
    """One citizen's answers to one form version, with the context of the service."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint("language IN ('vi', 'en')", name="language"),
        ForeignKeyConstraint(
            ["form_id", "form_version"], ["survey_form.form_id", "survey_form.version"]
        ),
        # Covers the analytics GROUP BY: a period's responses are read from the index alone,
        # in date order, whatever the size of the table.
        Index(
            "ix_response_analytics",
            "local_date",
            "excluded",
            "unit_id",
            "sector_code",
            "month",
            "channel",
            "form_id",
            "form_version",
            "answer_codes",
        ),
        Index("ix_response_device", "device_hash", "submitted_at"),
        # Only the characters of the code alphabet (see app.surveys.forms.CODE_ALPHABET).
        CheckConstraint(
            "trim(answer_codes, '.0123456789abcdefghijklmnopqrstuvwxyz') = ''",
            name="answer_codes_alphabet",
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    # Calendar date and month in the city's time zone: the period and the weighting cell.
    local_date: date
    month: str = Field(max_length=7)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unit_id: int = Field(foreign_key="unit.id")
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", unique=True)
    sector_code: str = Field(foreign_key="sector.code")
    procedure_code: str | None = Field(default=None, foreign_key="procedure.code")
    channel: str = Field(max_length=10)
    form_id: str = Field(max_length=64)
    form_version: int
    language: str = Field(default="vi", max_length=2)
    source: str = Field(max_length=10)
    answer_codes: str = Field(max_length=64)
    # Data-quality flags: flagged responses are kept and exported, and analytics leave
    # ``excluded`` ones out by default.
    flag_repeat_device: bool = False
    # None: nobody knows when the citizen started (no page token, no start time).
    flag_too_fast: bool | None = None
    flag_straight_line: bool = False
    excluded: bool = False
    # Keyed, day-salted hash of the device (app.submissions.devices): links one day's
    # answers from one device, never a person, never across days.
    device_hash: str | None = Field(default=None, max_length=64)
    # Hash of the submitted content: a retry with the same id must carry the same content.
    content_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ChoiceAnswer(SQLModel, table=True):
    """One option ticked in a multiple-choice question (a response may tick several)."""

    __tablename__ = "choice_answer"
    __table_args__ = (CheckConstraint("code >= 1 AND code <= 99", name="code_range"),)

    response_id: uuid.UUID = Field(foreign_key="response.id", primary_key=True)
    question_id: str = Field(primary_key=True, max_length=64)
    code: int = Field(primary_key=True, sa_type=SmallInteger)


class TextAnswer(SQLModel, table=True):
    """A free-text answer, stored as written; exports mask personal data in it."""

    __tablename__ = "text_answer"

    response_id: uuid.UUID = Field(foreign_key="response.id", primary_key=True)
    question_id: str = Field(primary_key=True, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))


class TalliedMonth(SQLModel, table=True):
    """A month whose in-scope responses are tallied in ``month_count`` and ``month_tally``.

    The tallies are a cache of GROUP BYs over ``response``: storing a response of a
    tallied month deletes this row and the month's tallies (app.stats.tallies), so a row
    here always means complete tallies. ``generation`` is new at every build, which lets a
    reader see that the tallies changed while it read them.
    """

    __tablename__ = "tallied_month"

    month: str = Field(primary_key=True, max_length=7)
    generation: str = Field(max_length=32)
    responses: int
    tallied_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TalliedCell(SQLModel):
    """The key of a tally row: a cell of a tallied month, and a channel."""

    month: str = Field(primary_key=True, max_length=7)
    unit_id: int = Field(primary_key=True)
    sector_code: str = Field(primary_key=True, max_length=32)
    channel: str = Field(primary_key=True, max_length=10)


class MonthCount(TalliedCell, table=True):
    """In-scope responses of a tallied month, per cell and channel."""

    __tablename__ = "month_count"

    responses: int


class MonthTally(TalliedCell, table=True):
    """Per cell, channel and scored question of a tallied month: how many in-scope
    responses were satisfied with it and how many answered it and were not."""

    __tablename__ = "month_tally"

    question_id: str = Field(primary_key=True, max_length=64)
    satisfied: int
    unsatisfied: int


class MonthPatternPlan(SQLModel, table=True):
    """An element whose answer patterns a tallied month keeps in ``month_pattern``, over
    these criteria (a new form version may change an element's criteria: patterns over
    other criteria are then not read)."""

    __tablename__ = "month_pattern_plan"

    month: str = Field(primary_key=True, max_length=7)
    indicator: str = Field(primary_key=True, max_length=64)
    questions: str = Field(sa_column=Column(Text, nullable=False))


class MonthPattern(TalliedCell, table=True):
    """Per cell, channel and element of a tallied month: the in-scope responses with each
    answer pattern over the element's criteria (S, U or '.' per criterion)."""

    __tablename__ = "month_pattern"

    indicator: str = Field(primary_key=True, max_length=64)
    pattern: str = Field(primary_key=True, max_length=64)
    responses: int


class MonthMomentPlan(SQLModel, table=True):
    """An index whose second moments a tallied month keeps in ``month_moment`` (or, under
    the name ``drivers``, the drivers model's groups in ``month_driver``), over these
    questions (read only while they are still the questions asked)."""

    __tablename__ = "month_moment_plan"

    month: str = Field(primary_key=True, max_length=7)
    indicator: str = Field(primary_key=True, max_length=64)
    questions: str = Field(sa_column=Column(Text, nullable=False))


class MonthMoment(TalliedCell, table=True):
    """Per cell, channel and index of a tallied month: its in-scope responses, those that
    answered none of its questions, and the sums an index's variance needs
    (``analytics.moments``): A, S, SS, SA and AA over its Q questions, as little-endian
    32-bit integers, Q + Q + 3·Q² of them (app.stats.tallies)."""

    __tablename__ = "month_moment"

    indicator: str = Field(primary_key=True, max_length=64)
    responses: int
    none_answered: int
    sums: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MonthDriver(TalliedCell, table=True):
    """Per cell and channel of a tallied month, the drivers model's groups: its in-scope
    responses, and the usable ones grouped by outcome and each element's satisfied and
    answered criteria (``app.stats.drivers``), as bytes: per group the outcome and those
    counts (one byte each), then the groups' sizes (32-bit integers)."""

    __tablename__ = "month_driver"

    responses: int
    groups: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Volume(SQLModel, table=True):
    """Dossiers handled in a cell (month, unit, sector): the population for weighting."""

    __tablename__ = "volume"
    __table_args__ = (CheckConstraint("dossiers >= 0", name="dossiers_non_negative"),)

    month: str = Field(primary_key=True, max_length=7)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    sector_code: str = Field(foreign_key="sector.code", primary_key=True, max_length=32)
    dossiers: int


class Target(SQLModel, table=True):
    """A satisfaction target of the plan: an indicator, or one sector, over a span of years."""

    __tablename__ = "target"
    __table_args__ = (
        CheckConstraint("threshold > 0 AND threshold <= 1", name="threshold_fraction"),
        CheckConstraint("valid_from_year <= valid_to_year", name="years_ordered"),
        CheckConstraint("(indicator = 'sector') = (sector_code IS NOT NULL)", name="sector_scope"),
        UniqueConstraint("indicator", "sector_code", "valid_from_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=64)
    sector_code: str | None = Field(default=None, foreign_key="sector.code")
    threshold: float
    valid_from_year: int
    valid_to_year: int


class ApiKey(SQLModel, table=True):
    """An API key: only its SHA-256 is stored; the prefix finds the row."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, unique=True)
    key_sha256: str = Field(max_length=64)
    role: str = Field(max_length=10)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKeyUnit(SQLModel, table=True):
    """The units a ``unit``-role key may read."""

    __tablename__ = "api_key_unit"

    api_key_id: int = Field(foreign_key="api_key.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class UserAccount(SQLModel, table=True):
    """A person who signs in to the dashboard. Only an argon2id hash of the password is
    kept; a disabled account signs in no more and its sessions end."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=10)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    password_changed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserAccountUnit(SQLModel, table=True):
    """The units a ``unit``-role account may read."""

    __tablename__ = "user_account_unit"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, by the SHA-256 of the name tried (whether or not it exists), for
    throttling; no address is kept."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    name_sha256: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class DashboardSession(SQLModel, table=True):
    """A dashboard sign-in, by a person's account or by an API key; the cookie holds a
    random token, the row only its SHA-256.

    Ending the row (logout) ends the session on the server, whoever holds the cookie.
    """

    __tablename__ = "dashboard_session"
    __table_args__ = (
        CheckConstraint("(api_key_id IS NULL) <> (user_id IS NULL)", name="one_holder"),
    )

    token_sha256: str = Field(max_length=64, primary_key=True)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Report(SQLModel, table=True):
    """A generated monthly report; a finished version is never changed."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
        UniqueConstraint("month", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)
    version: int
    status: str = Field(max_length=10)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_column=Column(Text))
    html: str | None = Field(default=None, sa_column=Column(Text))
    csv: str | None = Field(default=None, sa_column=Column(Text))
    xlsx: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    # The version's figures as JSON (app.reports.stored): every format and language of the
    # version is rendered from them (the PDF on request: a second per month, which the
    # schedule need not spend on months nobody prints).
    content: str | None = Field(default=None, sa_column=Column(Text))


class AuditLog(SQLModel, table=True):
    """Who changed what: one row per administrative action."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    entity_key: str = Field(default="", max_length=128)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


ALERT_RECIPIENTS = ("unit", "email", "webhook")
ALERT_DIGESTS = ("immediate", "hourly", "daily")
ALERT_SCOPES = ("city", "sector", "unit")
DELIVERY_STATUSES = ("pending", "delivered", "dead")
CASE_STATUSES = ("new", "acknowledged", "resolved")


class AlertRule(SQLModel, table=True):
    """When a response should reach someone at once: its scope, its conditions (all must
    hold; at least one is set unless the rule was saved knowing it matches everything),
    its recipient and how often it is sent (app.alerts.rules)."""

    __tablename__ = "alert_rule"
    __table_args__ = (
        CheckConstraint(_in("scope", ALERT_SCOPES), name="scope"),
        CheckConstraint(_in("recipient", ALERT_RECIPIENTS), name="recipient"),
        CheckConstraint(_in("digest", ALERT_DIGESTS), name="digest"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    scope: str = Field(max_length=10)
    sector_code: str | None = Field(default=None, foreign_key="sector.code")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    overall_at_most: int | None = Field(default=None, sa_type=SmallInteger)
    element_dissatisfied: bool = False
    misconduct: bool = False
    has_comment: bool = False
    not_flagged: bool = False
    recipient: str = Field(max_length=10)
    # The e-mail addresses (comma-separated) or the webhook's URL; empty for "unit".
    target: str = Field(default="", max_length=2000)
    # The webhook's signing secret (HMAC-SHA256), shown once when the rule is made.
    secret: str = Field(default="", max_length=128)
    digest: str = Field(default="immediate", max_length=10)
    # Local hours [start, end) in which nothing is sent; the window may wrap midnight.
    quiet_start: int | None = Field(default=None, sa_type=SmallInteger)
    quiet_end: int | None = Field(default=None, sa_type=SmallInteger)
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=64)


class UnitContact(SQLModel, table=True):
    """An e-mail address that receives a unit's alerts (rules whose recipient is "unit")."""

    __tablename__ = "unit_contact"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    email: str = Field(max_length=254, primary_key=True)


class FeedbackCase(SQLModel, table=True):
    """A response that matched a rule, for its unit to follow up: new → acknowledged →
    resolved. One per response, whatever the number of rules it matched."""

    __tablename__ = "feedback_case"
    __table_args__ = (CheckConstraint(_in("status", CASE_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: uuid.UUID = Field(foreign_key="response.id", unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="new", max_length=12)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, max_length=64)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = Field(default=None, max_length=64)


class CaseNote(SQLModel, table=True):
    """What was done on a case, by whom: its history."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="feedback_case.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=16)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Alert(SQLModel, table=True):
    """The outbox: a response that matched a rule, written in the response's own
    transaction, so none is lost; sent in a delivery once due."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("rule_id", "response_id"),
        Index("ix_alert_undelivered", "delivery_id", "due_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    rule_id: int = Field(foreign_key="alert_rule.id")
    response_id: uuid.UUID = Field(foreign_key="response.id")
    case_id: int = Field(foreign_key="feedback_case.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    # When it may leave: at once, at the digest's hour, or after the rule's quiet hours.
    due_at: datetime = Field(sa_type=UTCDateTime)
    delivery_id: uuid.UUID | None = Field(default=None, foreign_key="alert_delivery.id")


class AlertDelivery(SQLModel, table=True):
    """One message to one recipient, carrying one alert or a digest of several; its id is
    the idempotency key receivers see, the same on every retry."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
        Index("ix_alert_delivery_due", "status", "next_attempt_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    rule_id: int = Field(foreign_key="alert_rule.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    # A worker sending it holds it until then; another worker leaves it alone meanwhile.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class DeliveryAttempt(SQLModel, table=True):
    """Each try of a delivery: when, how it went, how long it took."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: uuid.UUID = Field(foreign_key="alert_delivery.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    ok: bool
    status_code: int | None = None
    latency_ms: int
    error: str | None = Field(default=None, sa_column=Column(Text))


class CommentTag(SQLModel, table=True):
    """An analyst's tag on a response's comment, for the comments inbox."""

    __tablename__ = "comment_tag"

    response_id: uuid.UUID = Field(foreign_key="response.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True)


class Dossier(SQLModel, table=True):
    """A dossier of the province's one-stop information system, imported as the frame of
    the survey: what was asked, of which unit, received, due and finished when. The
    dossier code is kept only as the keyed hash invitations use; the applicant's phone
    only encrypted, and only until the invitation window closes."""

    __tablename__ = "dossier"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        Index("ix_dossier_finished", "finished_month", "unit_id", "sector_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    unit_id: int = Field(foreign_key="unit.id")
    procedure_code: str = Field(foreign_key="procedure.code")
    sector_code: str = Field(foreign_key="sector.code")
    channel: str = Field(max_length=10)
    received_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The city's month the dossier was finished in: the frame and the volumes of a month.
    finished_month: str | None = Field(default=None, max_length=7)
    status: str = Field(max_length=20)
    applicant_kind: str | None = Field(default=None, max_length=20)
    # Decision 766 inputs, where the city's systems record them.
    complaint: bool = False
    disliked: bool = False
    # A made-up dossier (the demo's file): its invitation goes only to a gateway on this
    # machine, never to a real phone.
    synthetic: bool = False
    phone_cipher: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    phone_erase_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    content_sha256: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


PULL_OUTCOMES = ("imported", "rejected", "failed")


class DossierPull(SQLModel, table=True):
    """One file of the dossier feed (a folder's file or a URL's answer) and what became of
    it: imported, rejected for its content (errors by line), or failed to be read (the
    URL did not answer; tried again at the next run)."""

    __tablename__ = "dossier_pull"
    __table_args__ = (CheckConstraint(_in("outcome", PULL_OUTCOMES), name="outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=500)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    outcome: str = Field(max_length=10)
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    detail: str | None = Field(default=None, sa_column=Column(Text))


class SampleDraw(SQLModel, table=True):
    """One day's stratified random sample of finished dossiers: the seed and the frame it
    was drawn from are kept, so the draw can be made again and checked."""

    __tablename__ = "sample_draw"

    id: int | None = Field(default=None, primary_key=True)
    drawn_on: date = Field(unique=True)
    seed: int
    # SHA-256 of the frame's dossier hashes in order: the same frame, the same draw.
    frame_sha256: str = Field(max_length=64)
    frame_size: int
    eligible: int
    invited: int
    # Per sector: the fraction drawn and what it was sized from (JSON).
    plan: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


MESSAGE_KINDS = ("invite", "reminder")
MESSAGE_CHANNELS = ("sms", "zalo")
MESSAGE_STATUSES = ("pending", "sent", "dead", "skipped")


class InvitationMessage(SQLModel, table=True):
    """An invitation (or its one reminder) sent to the applicant's phone through a
    gateway: each try counted, the gateway's message id kept once it took it."""

    __tablename__ = "invitation_message"
    __table_args__ = (
        CheckConstraint(_in("kind", MESSAGE_KINDS), name="kind"),
        CheckConstraint(_in("channel", MESSAGE_CHANNELS), name="channel"),
        CheckConstraint(_in("status", MESSAGE_STATUSES), name="status"),
        UniqueConstraint("invitation_id", "kind"),
        Index("ix_invitation_message_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id")
    kind: str = Field(max_length=10)
    channel: str = Field(max_length=10)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    provider_id: str | None = Field(default=None, max_length=100)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OptOut(SQLModel, table=True):
    """A phone (its keyed hash) that asked not to be invited again."""

    __tablename__ = "opt_out"

    phone_hash: str = Field(max_length=64, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

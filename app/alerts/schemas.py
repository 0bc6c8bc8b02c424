"""Request and response models of alert rules, unit contacts and deliveries."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Scope = Literal["city", "sector", "unit"]
Recipient = Literal["unit", "email", "webhook"]
Digest = Literal["immediate", "hourly", "daily"]
Hour = Field(default=None, ge=0, le=23)


class RuleIn(BaseModel):
    """A rule: every condition set must hold; ``match_everything`` confirms a rule that
    sets none (every response in its scope alerts)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scope: Scope = "city"
    sector: str | None = Field(default=None, max_length=32)
    unit: str | None = Field(default=None, max_length=32)
    overall_at_most: int | None = Field(default=None, ge=1, le=5)
    element_dissatisfied: bool = False
    misconduct: bool = False
    has_comment: bool = False
    not_flagged: bool = False
    recipient: Recipient
    emails: list[str] = Field(default_factory=list, max_length=20)
    url: str | None = Field(default=None, max_length=2000)
    digest: Digest = "immediate"
    quiet_start: int | None = Hour
    quiet_end: int | None = Hour
    match_everything: bool = False


class RuleOut(BaseModel):
    id: int
    name: str
    scope: Scope
    sector: str | None
    unit: str | None
    overall_at_most: int | None
    element_dissatisfied: bool
    misconduct: bool
    has_comment: bool
    not_flagged: bool
    recipient: Recipient
    emails: list[str]
    url: str | None
    digest: Digest
    quiet_start: int | None
    quiet_end: int | None
    active: bool
    created_at: datetime
    created_by: str


class RuleCreated(RuleOut):
    # The webhook's signing secret: shown once, here; keep it with the receiver.
    secret: str | None


class RuleActive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class UnitContacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[str] = Field(max_length=20)


class AttemptOut(BaseModel):
    at: datetime
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    id: str
    rule_id: int
    rule_name: str
    unit: str | None
    status: Literal["pending", "delivered", "dead"]
    alerts: int
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    log: list[AttemptOut]

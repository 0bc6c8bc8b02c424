"""Request and response models of cases."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CaseStatus = Literal["new", "acknowledged", "resolved"]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class NoteOut(BaseModel):
    at: datetime
    actor: str
    action: str
    text: str


class CaseSummary(BaseModel):
    id: int
    unit: str
    unit_name: str
    counter: str | None
    sector: str
    submitted_at: datetime
    opened_at: datetime
    # Hours from opening to now, or to its resolution once resolved.
    age_hours: float
    status: CaseStatus
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    overall: int | None
    dissatisfied_elements: list[str]
    reported: list[str]
    has_comment: bool


class CaseDetail(CaseSummary):
    # The citizen's comment with phone numbers, ID numbers and e-mail addresses masked.
    comment: str | None
    rules: list[str]
    notes: list[NoteOut]

"""The body of ``POST /api/v1/responses`` (docs/contracts.md §3)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from app.months import OUTSIDE_YEARS, within_years

# An answer: a code, a list of codes (multiple choice), a text, or null. The form checks
# each value (app.surveys.forms.validate_answers) and names the question when it is
# wrong; pydantic would quietly turn ``true`` into the code 1.
AnswerValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "array", "items": {"type": "integer"}},
                {"type": "string"},
                {"type": "null"},
            ]
        }
    ),
]


class SubmissionIn(BaseModel):
    """One response, with an id the client made so that retries are recognised."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    slug: str = Field(min_length=1, max_length=32)
    form_id: str = Field(min_length=1, max_length=64)
    form_version: int = Field(ge=1)
    language: Literal["vi", "en"] = "vi"
    sector: str | None = None
    procedure_code: str | None = None
    answers: dict[str, AnswerValue]
    started_at: AwareDatetime | None = None
    # The survey page's token (app.submissions.tokens): with it the server knows when the
    # page was first shown, and the id must be the one the page was given.
    token: str | None = Field(default=None, max_length=200)

    @field_validator("started_at")
    @classmethod
    def _within_years(cls, value: datetime | None) -> datetime | None:
        # Year 1 at +14:00 is a valid ISO string that overflows on its way to UTC.
        if value is not None and not within_years(value):
            raise ValueError(OUTSIDE_YEARS)
        return value


class SubmissionOut(BaseModel):
    id: uuid.UUID
    status: Literal["stored", "already_stored"]
    submitted_at: datetime

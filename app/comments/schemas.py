"""Response models of the comments inbox."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommentOut(BaseModel):
    response_id: str
    submitted_at: datetime
    unit: str
    unit_name: str
    sector: str
    overall: int | None
    flagged: bool
    # Phone numbers, ID numbers and e-mail addresses masked.
    text: str
    tags: list[str]


class CommentsOut(BaseModel):
    matched: int
    # False when the period held more comments than one search reads: narrow it.
    complete: bool
    comments: list[CommentOut]


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[str] = Field(max_length=20)

"""Finding comments and tagging them.

Comments are masked (phone numbers, ID numbers, e-mail addresses) before anything else
touches them: the search runs over the masked text, so it cannot find a number that the
reader may not see. A search matches with or without diacritics.
"""

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import sqlalchemy
from sqlmodel import Session, col, delete, select

from app.audit import record_action
from app.db import writes
from app.errors import FieldError, Invalid, NotFound
from app.models import CommentTag, Response, TextAnswer, Unit
from app.principals import Principal
from app.privacy import mask_personal_data
from app.surveys.forms import FormCatalog, decode_codes
from app.text import displayable, folded

FlagFilter = Literal["any", "clean", "flagged"]
TAG = re.compile(r"^[\w][\w .-]{0,39}$")
SHOWN = 200
# Comments read for one search: a month of a city is a few thousand; beyond this the page
# asks for a narrower period or unit rather than scan without end.
SCANNED = 100_000


@dataclass(frozen=True)
class CommentQuery:
    first: date
    last: date
    unit_ids: frozenset[int] | None = None
    sectors: frozenset[str] | None = None
    overall: int | None = None
    flag: FlagFilter = "any"
    text: str = ""
    tag: str | None = None


@dataclass
class FoundComment:
    response_id: uuid.UUID
    submitted_at: datetime
    unit: str
    unit_name: str
    sector: str
    overall: int | None
    flagged: bool
    text: str
    tags: list[str] = field(default_factory=list)


@dataclass
class CommentsFound:
    comments: list[FoundComment]
    matched: int
    scanned_all: bool


def find_comments(
    session: Session,
    catalog: FormCatalog,
    query: CommentQuery,
    principal: Principal,
    limit: int = SHOWN,
) -> CommentsFound:
    """The period's comments that pass every filter, newest first: the first ``limit``,
    and how many matched in all."""
    statement = (
        sqlalchemy.select(
            col(Response.id), col(Response.submitted_at), col(Unit.code), col(Unit.name),
            col(Response.sector_code), col(Response.form_id), col(Response.form_version),
            col(Response.answer_codes), col(Response.excluded), col(TextAnswer.text),
        )
        .join(TextAnswer, col(TextAnswer.response_id) == col(Response.id))
        .join(Unit, col(Unit.id) == col(Response.unit_id))
        .where(col(Response.local_date) >= query.first, col(Response.local_date) <= query.last)
        .order_by(col(Response.submitted_at).desc())
        .limit(SCANNED + 1)
    )  # fmt: skip
    units = query.unit_ids
    if principal.role == "unit":
        units = principal.unit_ids if units is None else units & principal.unit_ids
    if units is not None:
        statement = statement.where(col(Response.unit_id).in_(units))
    if query.sectors is not None:
        statement = statement.where(col(Response.sector_code).in_(query.sectors))
    if query.flag != "any":
        statement = statement.where(col(Response.excluded).is_(query.flag == "flagged"))
    if query.tag:
        tagged = select(CommentTag.response_id).where(CommentTag.tag == query.tag)
        statement = statement.where(col(Response.id).in_(tagged))
    wanted = folded(query.text.strip())
    found: list[FoundComment] = []
    matched = scanned = 0
    for row in session.execute(statement):
        scanned += 1
        if scanned > SCANNED:
            break
        response_id, at, unit, name, sector, form_id, version, codes, excluded, raw = row
        text = mask_personal_data(displayable(raw).strip())
        if not text or (wanted and wanted not in folded(text)):
            continue
        form = catalog.get(form_id, version)
        overall = decode_codes(form, codes).get(form.aggregation.overall) if form else None
        if query.overall is not None and overall != query.overall:
            continue
        matched += 1
        if len(found) < limit:
            found.append(FoundComment(response_id, at, unit, name, sector, overall or None,
                                      excluded, text))  # fmt: skip
    tags = _tags(session, [comment.response_id for comment in found])
    for comment in found:
        comment.tags = tags.get(comment.response_id, [])
    return CommentsFound(found, matched, scanned <= SCANNED)


def _tags(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = session.exec(
        select(CommentTag.response_id, CommentTag.tag)
        .where(col(CommentTag.response_id).in_(ids))
        .order_by(col(CommentTag.tag))
    )
    for response_id, tag in rows:
        tags[response_id].append(tag)
    return tags


def normal_tags(tags: list[str]) -> list[str]:
    """Tags trimmed, lower case, each once; a bad one raises Invalid naming it."""
    cleaned = sorted({" ".join(tag.split()).lower() for tag in tags if tag.strip()})
    errors = [
        FieldError(f"tags[{index}]", "a tag is 1–40 letters, digits, spaces, dots or dashes")
        for index, tag in enumerate(cleaned)
        if not TAG.match(tag)
    ]
    if errors:
        raise Invalid("the tags were not saved", errors)
    return cleaned


@writes
def set_tags(
    session: Session, principal: Principal, response_id: uuid.UUID, tags: list[str]
) -> list[str]:
    """Replace the tags of a response's comment."""
    cleaned = normal_tags(tags)
    has_comment = session.exec(
        select(TextAnswer.response_id).where(TextAnswer.response_id == response_id)
    ).first()
    if has_comment is None:
        raise NotFound(f"no comment on response {response_id}")
    session.exec(delete(CommentTag).where(col(CommentTag.response_id) == response_id))
    session.add_all(CommentTag(response_id=response_id, tag=tag) for tag in cleaned)
    record_action(session, principal.actor, "tag", "comment", str(response_id), ", ".join(cleaned))
    return cleaned

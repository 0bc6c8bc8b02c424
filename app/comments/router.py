"""HTTP routes of the comments inbox: search and export; tags by analysts."""

import uuid
from datetime import date
from itertools import chain
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.comments.export import comments_csv
from app.comments.schemas import CommentOut, CommentsOut, TagsIn
from app.comments.service import SCANNED, CommentQuery, FlagFilter, find_comments, set_tags
from app.deps import Analyst, CsvBom, Reader, SessionDep, SettingsDep
from app.errors import Invalid
from app.months import period_errors
from app.surveys.deps import CatalogDep
from app.text import UTF8_BOM
from app.units.service import readable_units

router = APIRouter(prefix="/api/v1", tags=["comments"])


@router.get("/comments", response_model=None)
def search_comments(
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    principal: Reader,
    date_from: Annotated[date, Query(alias="from", description="first day, YYYY-MM-DD")],
    date_to: Annotated[date, Query(alias="to", description="last day, YYYY-MM-DD")],
    unit: Annotated[str | None, Query(max_length=32)] = None,
    sector: Annotated[str | None, Query(max_length=32)] = None,
    overall: Annotated[int | None, Query(ge=1, le=5, description="the overall score")] = None,
    flag: FlagFilter = "any",
    q: Annotated[str, Query(max_length=200, description="words, with or without marks")] = "",
    tag: Annotated[str | None, Query(max_length=40)] = None,
    format: Literal["json", "csv"] = "json",
    bom: CsvBom = False,
) -> CommentsOut | StreamingResponse:
    """A period's comments, masked, newest first: JSON (the first 200 and how many matched)
    or CSV (every match)."""
    if errors := period_errors(date_from, date_to):
        raise Invalid("invalid period", errors)
    query = CommentQuery(
        first=date_from,
        last=date_to,
        unit_ids=readable_units(session, principal, unit),
        sectors=frozenset({sector}) if sector else None,
        overall=overall,
        flag=flag,
        text=q,
        tag=tag,
    )
    limit = SCANNED if format == "csv" else 200
    found = find_comments(session, catalog, query, principal, limit)
    if format == "csv":
        return StreamingResponse(
            chain([UTF8_BOM] if bom else [], comments_csv(found, settings.zone)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=comments.csv"},
        )
    return CommentsOut(
        matched=found.matched,
        complete=found.scanned_all,
        comments=[
            CommentOut(**{**vars(c), "response_id": str(c.response_id)}) for c in found.comments
        ],
    )


@router.put("/comments/{response_id}/tags")
def tag_comment(
    response_id: uuid.UUID, data: TagsIn, session: SessionDep, principal: Analyst
) -> TagsIn:
    """Replace the tags of a response's comment (admins and analysts)."""
    return TagsIn(tags=set_tags(session, principal, response_id, data.tags))

"""HTTP route for loading dossier volumes."""

import io
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.deps import Analyst, SessionDep, SettingsDep
from app.errors import FieldError, Invalid
from app.imports.csvfile import CsvSource
from app.imports.reference import import_volumes
from app.principals import Principal
from app.volumes.service import VolumeIn, load_volumes

router = APIRouter(prefix="/api/v1", tags=["volumes"])
_items = TypeAdapter(list[VolumeIn])


class VolumeLoadResult(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _items.json_schema()},
            "text/csv": {
                "schema": {"type": "string", "example": "month,unit_code,sector,dossiers\n"}
            },
        },
    }
}


@router.post("/volumes", openapi_extra=_BODY_DOC)
async def post_volumes(
    request: Request, session: SessionDep, settings: SettingsDep, principal: Analyst
) -> VolumeLoadResult:
    """Set dossier volumes per (month, unit, sector), as a JSON list or a CSV body."""
    body = await request.body()
    is_csv = request.headers.get("content-type", "").startswith("text/csv")
    # Checking and storing is blocking work: off the event loop, as a sync route would be.
    return await run_in_threadpool(_load, session, settings, principal, body, is_csv)


def _load(
    session: Session, settings: Settings, principal: Principal, body: bytes, is_csv: bool
) -> VolumeLoadResult:
    if is_csv:
        source = CsvSource(io.BytesIO(body), "request body", len(body))
        result = import_volumes(session, source, settings.import_error_cap, principal.actor)
    else:
        try:
            items = _items.validate_json(body)
        except ValidationError as exc:
            raise Invalid(
                "the body must be a JSON list of volumes",
                [
                    FieldError(".".join(str(p) for p in error["loc"]) or "(body)", error["msg"])
                    for error in exc.errors()
                ],
            ) from exc
        result = load_volumes(session, items, principal.actor)
    return VolumeLoadResult(
        rows=result.rows, inserted=result.inserted, updated=result.updated, unchanged=result.skipped
    )

"""HTTP routes for dossiers: an import (JSON or CSV) and the Decision 766 figure."""

import io
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.deps import Analyst, SessionDep, SettingsDep
from app.dossiers.mapping import load_mapping
from app.dossiers.service import import_dossier_file

router = APIRouter(prefix="/api/v1", tags=["dossiers"])


class DossierImportOut(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int
    months: list[str]


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string", "example": "MaHoSo,MaTTHC,…\n"}},
        },
    }
}


@router.post("/dossiers", openapi_extra=_BODY_DOC)
async def post_dossiers(
    request: Request, session: SessionDep, settings: SettingsDep, principal: Analyst
) -> DossierImportOut:
    """Dossiers in the fields the national portal uses (or the configured vendor mapping):
    a JSON list of objects or a CSV body; all or nothing, errors by line (a JSON item) and
    field; the months' volumes are derived from them."""
    body = await request.body()
    is_csv = request.headers.get("content-type", "").startswith("text/csv")
    name = "request.csv" if is_csv else "request.json"
    mapping = load_mapping(settings.dossier_mapping)
    result = await run_in_threadpool(
        import_dossier_file, session, name, io.BytesIO(body), mapping, settings, principal.actor
    )
    return DossierImportOut(rows=result.rows, inserted=result.inserted, updated=result.updated,
                            unchanged=result.unchanged, months=result.months)  # fmt: skip

"""HTTP routes for units and counters."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.deps import Admin, Reader, RowId, SessionDep, SettingsDep
from app.errors import Forbidden
from app.principals import Principal
from app.surveys.poster_pdf import posters_pdf
from app.surveys.qr import (
    PosterSet,
    PosterSize,
    poster_set,
    posters_html,
    qr_png,
    qr_svg,
    survey_url,
)
from app.units import service
from app.units.schemas import (
    CounterCreate,
    CounterPublic,
    CounterUpdate,
    UnitCreate,
    UnitPublic,
    UnitUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["units"])


@router.get("/units")
def list_units(session: SessionDep, principal: Reader) -> list[UnitPublic]:
    """Units the key may read: all of them, or a unit key's own."""
    return service.list_units(session, principal)


@router.post("/units", status_code=status.HTTP_201_CREATED)
def create_unit(data: UnitCreate, session: SessionDep, principal: Admin) -> UnitPublic:
    """Add a unit."""
    return service.create_unit(session, data, principal.actor)


@router.patch("/units/{code}")
def update_unit(code: str, data: UnitUpdate, session: SessionDep, principal: Admin) -> UnitPublic:
    """Change a unit's name, level, parent or confirmation."""
    return service.update_unit(session, code, data, principal.actor)


@router.get("/counters")
def list_counters(
    session: SessionDep, settings: SettingsDep, principal: Reader, unit: str | None = None
) -> list[CounterPublic]:
    """Counters with their survey URLs, optionally of one unit."""
    return service.list_counters(session, principal, settings.public_base_url, unit)


@router.post("/counters", status_code=status.HTTP_201_CREATED)
def create_counter(
    data: CounterCreate, session: SessionDep, settings: SettingsDep, principal: Admin
) -> CounterPublic:
    """Add a counter to a unit; it gets a new random slug for its QR code."""
    return service.create_counter(session, data, principal.actor, settings.public_base_url)


@router.patch("/counters/{counter_id}")
def update_counter(
    counter_id: RowId,
    data: CounterUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: Admin,
) -> CounterPublic:
    """Rename a counter, fix its sector, or deactivate it."""
    return service.update_counter(session, counter_id, data, principal, settings.public_base_url)


@router.get("/counters/{counter_id}/qr.png", response_class=Response)
def counter_qr_png(
    counter_id: RowId, session: SessionDep, settings: SettingsDep, principal: Reader
) -> Response:
    """The counter's survey link as a PNG QR code (error correction M)."""
    counter, _ = service.get_counter(session, counter_id, principal)
    png = qr_png(survey_url(settings.public_base_url, counter.slug))
    return Response(png, media_type="image/png")


@router.get("/counters/{counter_id}/qr.svg", response_class=Response)
def counter_qr_svg(
    counter_id: RowId, session: SessionDep, settings: SettingsDep, principal: Reader
) -> Response:
    """The counter's survey link as an SVG QR code, for print at any size."""
    counter, _ = service.get_counter(session, counter_id, principal)
    svg = qr_svg(survey_url(settings.public_base_url, counter.slug))
    return Response(svg, media_type="image/svg+xml")


Size = Annotated[PosterSize, Query(description="a4 (QR 105 mm) or a5 (QR 80 mm)")]


def _posters(session: Session, settings: Settings, principal: Principal, code: str) -> PosterSet:
    unit = service.get_unit(session, code)
    assert unit.id is not None
    if not principal.can_read_unit(unit.id):
        raise Forbidden("this key may not read that unit")
    return poster_set(session, code, settings.public_base_url)


@router.get("/units/{code}/poster.html", response_class=HTMLResponse)
def unit_poster_html(
    code: str, session: SessionDep, settings: SettingsDep, principal: Reader, size: Size = "a4"
) -> HTMLResponse:
    """Print-ready posters, one sheet per counter of the unit (A4 or A5); print from a
    browser, or take the PDF."""
    return HTMLResponse(posters_html(_posters(session, settings, principal, code), size))


@router.get("/units/{code}/posters.pdf", response_class=Response)
def unit_posters_pdf(
    code: str, session: SessionDep, settings: SettingsDep, principal: Reader, size: Size = "a4"
) -> Response:
    """The same posters as a print-ready PDF, one page per counter."""
    pdf = posters_pdf(_posters(session, settings, principal, code), size)
    filename = f"posters-{code}-{size}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})  # fmt: skip

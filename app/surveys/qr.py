"""QR codes for survey links, and the printable posters that carry them."""

import io
from dataclasses import dataclass
from typing import Literal

import qrcode
import qrcode.image.pure
import qrcode.image.svg
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Counter, Unit

PosterSize = Literal["a4", "a5"]
_templates = Environment(
    loader=PackageLoader("app", "templates"), autoescape=select_autoescape(["html"])
)


def survey_url(base_url: str, slug: str) -> str:
    return f"{base_url}/s/{slug}"


def _code(data: str) -> qrcode.QRCode:
    # Error correction M: readable with 15% of the code damaged (a worn counter sticker).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> str:
    """The QR code as an SVG document (scales to any print size)."""
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


def qr_png(data: str, box_size: int = 10) -> bytes:
    """The QR code as a PNG image."""
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(image_factory=qrcode.image.pure.PyPNGImage).save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class PosterCounter:
    name: str
    url: str
    svg: str


def unit_poster(session: Session, unit_code: str, base_url: str, size: PosterSize) -> str:
    """Print-ready HTML: one page per active counter of the unit, QR at least 4 cm wide."""
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        raise NotFound(f"no unit with code {unit_code}")
    counters = session.exec(
        select(Counter)
        .where(Counter.unit_id == unit.id, col(Counter.active).is_(True))
        .order_by(col(Counter.code))
    ).all()
    pages = [
        PosterCounter(c.name, survey_url(base_url, c.slug), qr_svg(survey_url(base_url, c.slug)))
        for c in counters
    ]
    return _templates.get_template("poster.html").render(unit=unit, counters=pages, size=size)

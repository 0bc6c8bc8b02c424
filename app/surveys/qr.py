"""QR codes for survey links, and the printable posters that carry them."""

import io
from dataclasses import dataclass
from pathlib import Path
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


def qr_matrix(data: str) -> list[list[bool]]:
    """The code's modules, row by row, its 4-module quiet zone included (True: dark)."""
    return [[bool(module) for module in row] for row in _code(data).get_matrix()]


# What every poster says, in both languages; the PDF and the HTML posters share it.
POSTER_TEXT = {
    "call_vi": "Quét mã QR để đánh giá mức độ hài lòng của Ông/Bà",
    "call_en": "Scan the QR code to rate the service you received",
    "note": "Phiếu khảo sát ẩn danh, chưa đến một phút · Anonymous, under a minute",
    "url_intro": "Không quét được? Mở trình duyệt và gõ địa chỉ · Cannot scan? Type this address:",
}
_STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "poster.css"


@dataclass(frozen=True)
class PosterCounter:
    name: str
    url: str
    svg: str


@dataclass(frozen=True)
class PosterSet:
    """A unit's posters: its official name and one poster per active counter."""

    unit_name: str
    counters: list[PosterCounter]


def poster_set(session: Session, unit_code: str, base_url: str) -> PosterSet:
    """The posters of a unit; NotFound for an unknown unit or one with no counter yet."""
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        raise NotFound(f"no unit with code {unit_code}")
    counters = session.exec(
        select(Counter)
        .where(Counter.unit_id == unit.id, col(Counter.active).is_(True))
        .order_by(col(Counter.code))
    ).all()
    if not counters:
        raise NotFound(
            f"unit {unit_code} has no active counter yet: add its counters first "
            "(POST /api/v1/counters or sipas import counters), then print their posters"
        )
    return PosterSet(
        unit.name,
        [PosterCounter(c.name, url := survey_url(base_url, c.slug), qr_svg(url)) for c in counters],
    )


def posters_html(posters: PosterSet, size: PosterSize, *, standalone: bool = False) -> str:
    """Print-ready HTML, one sheet per counter. Served, it links ``/static/poster.css``
    (the strict CSP allows no inline style); ``standalone`` (a file written by the CLI)
    carries the stylesheet inside it."""
    css = _STYLESHEET.read_text(encoding="utf-8") if standalone else None
    return _templates.get_template("poster.html").render(
        posters=posters, size=size, text=POSTER_TEXT, css=css
    )

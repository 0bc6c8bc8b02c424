"""Print-ready PDF posters: one page per counter, drawn on the server with ReportLab.

The QR code is drawn as vector squares from the code's own matrix (its 4-module quiet
zone included), so it prints sharp at any size: 105 mm on A4, 80 mm on A5 (the code
inside its quiet zone about 82 and 62 mm). The text is
set in DejaVu Sans, which has every Vietnamese letter; the font files come with
matplotlib, a dependency already, so nothing is downloaded and nothing is vendored.
"""

import importlib.util
import io
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.surveys.qr import POSTER_TEXT, PosterSet, PosterSize, qr_matrix

_REGULAR, _BOLD = "DejaVuSans", "DejaVuSans-Bold"
_LAYOUT = {  # page, QR side, margin, type sizes (title, counter, call, note, url)
    "a4": (A4, 105 * mm, 15 * mm, (22, 17, 17, 11, 12)),
    "a5": (A5, 80 * mm, 10 * mm, (15, 12, 12, 8, 9)),
}


@cache
def _register_fonts() -> None:
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None
    assert spec.submodule_search_locations
    fonts = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_REGULAR, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


def posters_pdf(posters: PosterSet, size: PosterSize) -> bytes:
    """The unit's posters as a PDF, one page per counter."""
    _register_fonts()
    (width, height), side, margin, (title, subtitle, call, note, url_size) = _LAYOUT[size]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"Mã QR khảo sát – {posters.unit_name}")
    canvas.setAuthor("SIPAS")
    usable = width - 2 * margin
    for counter in posters.counters:
        y = height - margin
        y = _lines(canvas, posters.unit_name, _BOLD, title, width, usable, y)
        y = _lines(canvas, counter.name, _REGULAR, subtitle, width, usable, y - 2 * mm)
        y -= 6 * mm
        _qr(canvas, qr_matrix(counter.url), (width - side) / 2, y - side, side)
        y -= side + 8 * mm
        y = _lines(canvas, POSTER_TEXT["call_vi"], _BOLD, call, width, usable, y)
        y = _lines(canvas, POSTER_TEXT["call_en"], _REGULAR, note + 1, width, usable, y - 1 * mm)
        y = _lines(canvas, POSTER_TEXT["note"], _REGULAR, note, width, usable, y - 4 * mm)
        y = _lines(canvas, POSTER_TEXT["url_intro"], _REGULAR, note, width, usable, y - 4 * mm)
        _lines(canvas, counter.url, _BOLD, url_size, width, usable, y - 1 * mm)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _lines(
    canvas: Canvas, text: str, font: str, size: float, width: float, usable: float, top: float
) -> float:
    """``text`` centred and wrapped below ``top``; the height left under it."""
    leading = size * 1.3
    y = top
    for line in simpleSplit(text, font, size, usable):
        y -= leading
        canvas.setFont(font, size)
        canvas.drawCentredString(width / 2, y + (leading - size) / 2, line)
    return y


def _qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    """The code's dark modules as squares; a run of dark modules in a row is one rectangle."""
    module = side / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # A hair wider than the run, so no white seam shows between rows when printed.
            canvas.rect(x + start * module, top, (column - start) * module + 0.01, module + 0.01,
                        stroke=0, fill=1)  # fmt: skip

"""The report as PDF, rendered on the server by WeasyPrint from the report's own HTML.

One layout for screen, print and PDF: the HTML already prints on A4 (``report.css``'s
``@page`` and its page breaks), its charts are SVG, and WeasyPrint lays it out with the
fonts of the machine (DejaVu Sans carries every Vietnamese letter). Chromium would need a
browser on the server; ReportLab, which draws the posters, would need the layout twice.
"""

from app.reports.content import MonthlyReport
from app.reports.render_html import self_contained, to_html


def to_pdf(report: MonthlyReport, language: str = "vi") -> bytes:
    # Imported here: WeasyPrint loads Pango at import, and only reports need it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=self_contained(to_html(report, language))).write_pdf()
    return pdf

"""The report as one HTML page: print-ready on A4, charts drawn on the server."""

import math
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.dossiers.handling import WHY_THEY_DIFFER
from app.reports.charts import sector_chart, trend_chart
from app.reports.content import MonthlyReport
from app.reports.summary import methodology, summary_sentences
from app.reports.wording import (
    INDICATORS,
    PROBLEMS,
    STATUS,
    TEXT,
    count,
    hours,
    interval,
    month_label,
    percent,
)
from app.reports.wording import points as change_points

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a misspelt name fails the report, never prints blank
)


def report_context(report: MonthlyReport, language: str = "vi") -> dict[str, Any]:
    """What the report's templates need: the content, its words, formats and charts."""
    index = 0 if language == "vi" else 1
    sector_names = {code: names[index] for code, names in report.sector_names.items()}
    return {
        "report": report,
        "language": language,
        "month_label": month_label(report.month.year, report.month.month, language),
        "words": TEXT[language],
        "status": STATUS[language],
        "indicators": {key: names[index] for key, names in INDICATORS.items()},
        "problems": {key: names[index] for key, names in PROBLEMS.items()},
        "elements": {key: names[index] for key, names in report.element_names.items()},
        "sector_names": sector_names,
        "sector_chart": sector_chart(report.sectors, sector_names, language),
        "questions": {key: names[index] for key, names in report.question_names.items()},
        "issued": _issued(report, language),
        "ratio": lambda value: _ratio(value, language),
        "pvalue": lambda value: _p_value(value, language),
        "pct": lambda value: percent(value, language),
        "num": lambda value: count(value, language),
        "hours": lambda value: hours(value, language),
        "why_they_differ": WHY_THEY_DIFFER[language],
        "points": lambda value: change_points(value, language),
        "ci": lambda row: interval(row, language),
        "change": lambda value: change_points(value, language),
    }


def _issued(report: MonthlyReport, language: str) -> str:
    if not report.issued_on:
        return ""
    day = date.fromisoformat(report.issued_on)
    return str(TEXT[language]["dated"]).format(
        place=report.options.place, day=day.day, month=day.month, year=day.year
    )


def _ratio(value: float | None, language: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:.2f}"
    return text.replace(".", ",") if language == "vi" else text


def _p_value(value: float | None, language: str) -> str:
    if value is None:
        return "—"
    text = "< 0.001" if value < 0.001 else f"{value:.3f}"
    return text.replace(".", ",") if language == "vi" else text


def to_html(report: MonthlyReport, language: str = "vi") -> str:
    context = report_context(report, language)
    charts = {series["sector"]: trend_chart(series["points"], language) for series in report.trend}
    return _environment.get_template("report.html").render(
        **context,
        summary=summary_sentences(report, language),
        methodology=methodology(report, language),
        trend_charts=charts,
    )


_STYLESHEET_LINK = '<link rel="stylesheet" href="/static/report.css">'
_STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "report.css"


def self_contained(html: str) -> str:
    """The report with its stylesheet inside it (its charts are data already), to be
    saved or sent: it looks the same opened from disk. Served pages keep the link, as the
    strict policy allows no inline style."""
    css = _STYLESHEET.read_text(encoding="utf-8")
    return html.replace(_STYLESHEET_LINK, f"<style>{css}</style>", 1)

"""How the dashboard lays a view out: names, links that keep the filters, charts, choices."""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from app.dashboard.charts import caterpillar, trend_chart
from app.dashboard.periods import QUARTER_NAMES
from app.dashboard.views import DashboardView
from app.months import FIRST_YEAR, Month
from app.reports.wording import INDICATORS, STATUS, count, interval, percent, points
from app.text import vietnamese_key

CHOICE_MONTHS, CHOICE_QUARTERS, CHOICE_YEARS = 24, 8, 3
VERDICTS = {
    "met": "Đạt",
    "not_met": "Thấp hơn chỉ tiêu (có ý nghĩa thống kê)",
    "inconclusive": "Chưa kết luận",
}


def verdict(row: dict[str, Any]) -> str:
    if row.get("rate") is None:
        return "Không đủ dữ liệu"
    if row.get("target") is None:
        return "Không có chỉ tiêu"
    return VERDICTS[row["status"]]


def page_context(
    view: DashboardView, unit_names: dict[str, str], sector_names: dict[str, str], today: date
) -> dict[str, Any]:
    """The template's context for ``view``."""
    link = _linker(view)

    def name(key: str, row: dict[str, Any]) -> str:
        if key == "sector":
            return sector_names.get(row["sector"], str(row["sector"]))
        if key == "unit":
            return unit_names.get(row["unit"], str(row["unit"]))
        return str(row.get("label", row.get(key)))

    sectors = sorted(view.sectors, key=lambda row: vietnamese_key(name("sector", row)))
    units = sorted(view.units, key=lambda row: (row["rate"] is None, -(row["rate"] or 0)))
    # A unit with a small sample is drawn only when it is significantly below its target:
    # the others' intervals span half the axis and compare nothing (they stay in the table).
    charted_units = [r for r in units if not r["small_sample"] or r["status"] == "not_met"]
    focus_unit = view.focus.unit.code if view.focus.unit else None
    heading = view.period.label
    if view.focus.unit:
        heading = f"{view.focus.unit.name} · {heading}"
    elif view.focus.sector:
        heading = f"{view.focus.sector.name_vi} · {heading}"
    return {
        "view": view,
        "heading": heading,
        "choices": _choices(today),
        "link": link,
        "name": name,
        "verdict": verdict,
        "pct": lambda value: percent(value, "vi"),
        "num": lambda value: count(value, "vi"),
        "ci": lambda row: interval(row, "vi"),
        "points": lambda value: points(value, "vi"),
        "status": STATUS["vi"],
        "indicators": {key: names[0] for key, names in INDICATORS.items()},
        "sector_chart": caterpillar(
            [(name("sector", r), link(sector=r["sector"], unit=focus_unit), r) for r in sectors]
        ),
        "unit_chart": caterpillar(
            [(name("unit", r), link(unit=r["unit"]), r) for r in charted_units]
        ),
        "small_units": len(units) - len(charted_units),
        "below_count": sum(1 for row in view.units if row["status"] == "not_met"),
        "criteria_chart": caterpillar([(name("question", r), None, r) for r in view.criteria]),
        "trend_chart": trend_chart(view.trend),
    }


def _linker(view: DashboardView) -> Callable[..., str]:
    """``link(sector=…, unit=…)``: this view's URL with the filters changed (None drops one)."""
    current = {
        **view.period.query(),
        "sector": view.focus.sector.code if view.focus.sector else None,
        "unit": view.focus.unit.code if view.focus.unit else None,
    }

    def link(**changes: str | None) -> str:
        wanted = {**current, **changes}
        return "/dashboard?" + urlencode({k: v for k, v in wanted.items() if v})

    return link


def _choices(today: date) -> dict[str, list[tuple[str, str]]]:
    month = Month(today.year, today.month)
    months = [month.back(i) for i in range(CHOICE_MONTHS)]
    quarters: list[tuple[str, str]] = []
    for back in range(0, 3 * CHOICE_QUARTERS, 3):
        start = month.back(back)
        number = (start.month - 1) // 3 + 1
        quarters.append(
            (f"{start.year}-Q{number}", f"Quý {QUARTER_NAMES[number - 1]}/{start.year}")
        )
    years = [y for y in range(today.year, today.year - CHOICE_YEARS, -1) if y >= FIRST_YEAR]
    return {
        "months": [(str(m), f"Tháng {m.month:02d}/{m.year}") for m in months],
        "quarters": quarters,
        "years": [(str(y), f"Năm {y}") for y in years],
    }

"""Charts drawn on the server as SVG with matplotlib, embedded as images.

An SVG carries its own styles; shown through ``<img src="data:…">`` it keeps them under
the site's Content-Security-Policy, which allows no inline style in the page itself.
"""

import base64
import io
from typing import Any

from app.reports.wording import percent

_INK = "#0b0c0c"
_BAND = "#b1b4b6"
_LINE = "#1d70b8"
_TARGET = "#d4351c"


def _figure(width: float, height: float) -> Any:
    # Imported here: matplotlib costs a second to import, and only reports draw.
    import matplotlib as mpl
    from matplotlib.figure import Figure

    mpl.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "sipas", "font.size": 8,
                         "font.family": "DejaVu Sans"})  # fmt: skip
    return Figure(figsize=(width, height))


def _data_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def trend_chart(points: list[dict[str, Any]], language: str) -> str:
    """Twelve months of one sector: the rate, its interval band, the target line."""
    figure = _figure(3.4, 1.7)
    axes = figure.add_subplot()
    months = [p["month"][2:] for p in points]
    x = list(range(len(points)))
    rated = [(i, p) for i, p in zip(x, points, strict=True) if p["rate"] is not None]
    if rated:
        at = [i for i, _ in rated]
        low, high = [p["ci_low"] for _, p in rated], [p["ci_high"] for _, p in rated]
        axes.fill_between(at, low, high, color=_BAND, alpha=0.6, linewidth=0)
        axes.plot(at, [p["rate"] for _, p in rated], color=_LINE, marker="o", markersize=2.5,
                  linewidth=1.5)  # fmt: skip
    targets = [p["target"] for p in points if p["target"] is not None]
    if targets:
        axes.axhline(targets[-1], color=_TARGET, linestyle="--", linewidth=1)
    axes.set_xticks(x, months, rotation=0, fontsize=6)
    axes.set_ylim(min([0.6] + [p["ci_low"] for _, p in rated]), 1.0)
    axes.yaxis.set_major_formatter(lambda value, _: percent(value, language, 0))
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)


def sector_chart(rows: list[dict[str, Any]], names: dict[str, str], language: str) -> str:
    """The month's rate by sector with intervals, against each sector's target."""
    shown = [row for row in rows if row["rate"] is not None]
    figure = _figure(6.3, 0.35 * max(len(shown), 1) + 0.6)
    axes = figure.add_subplot()
    y = list(range(len(shown)))
    rates = [row["rate"] for row in shown]
    errors = [[row["rate"] - row["ci_low"] for row in shown],
              [row["ci_high"] - row["rate"] for row in shown]]  # fmt: skip
    axes.barh(y, rates, color=_LINE, height=0.6)
    axes.errorbar(rates, y, xerr=errors, fmt="none", ecolor=_INK, capsize=2, linewidth=1)
    for position, row in zip(y, shown, strict=True):
        if row["target"] is not None:
            axes.plot([row["target"]] * 2, [position - 0.4, position + 0.4], color=_TARGET,
                      linewidth=2)  # fmt: skip
    axes.set_yticks(y, [names.get(row["sector"], row["sector"]) for row in shown])
    axes.invert_yaxis()
    axes.set_xlim(min([0.6] + [row["ci_low"] for row in shown]), 1.0)
    axes.xaxis.set_major_formatter(lambda value, _: percent(value, language, 0))
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)

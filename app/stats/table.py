"""Result rows as CSV, the same for the REST API and the CLI; the nested results (trend
series, drivers) as flat rows first."""

import csv
from typing import Any, TextIO


def trend_rows(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per series and month, the series' trend test repeated on each."""
    rows: list[dict[str, Any]] = []
    for one in series:
        keys = {k: v for k, v in one.items() if k not in ("points", "trend")}
        test = {f"trend_{name}": value for name, value in one["trend"].items()}
        rows.extend({**keys, **point, **test} for point in one["points"])
    return rows


def driver_rows(drivers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per element, its sentence in both languages."""
    return [
        {**{k: v for k, v in d.items() if k != "text"}, "text_vi": d["text"]["vi"],
         "text_en": d["text"]["en"]}
        for d in drivers
    ]  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):  # 1 and 0: what a spreadsheet sums and R reads as logical
        return int(value)
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return value


def write_rows(stream: TextIO, rows: list[dict[str, Any]], fields: list[str]) -> None:
    """``rows`` as CSV with a header; missing values blank, lists joined with ``;``."""
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in fields})

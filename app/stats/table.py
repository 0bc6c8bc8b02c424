"""Result rows as CSV, the same for the REST API and the CLI."""

import csv
from typing import Any, TextIO

ROW_FIELDS = (
    "n", "not_answered", "rate", "se", "df", "ci_low", "ci_high", "deff", "n_eff",
    "kish_n_eff", "target", "status", "p_value", "small_sample", "coverage", "lonely_cells",
)  # fmt: skip
TARGET_COLUMNS = ("indicator", "measured_by", "sectors", "channels")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return value


def write_rows(stream: TextIO, rows: list[dict[str, Any]], fields: list[str]) -> None:
    """``rows`` as CSV with a header; missing values blank, lists joined with ``;``."""
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in fields})

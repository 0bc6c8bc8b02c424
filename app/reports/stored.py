"""A report version's content, stored once as JSON: every format and language of that
version is rendered from it, so ``?version=N`` means the same figures everywhere.

Floats go through ``repr`` both ways, so every figure comes back to the last bit.
"""

import json
from dataclasses import asdict
from typing import Any

from app.months import Month
from app.reports.content import Drivers, MonthlyReport, ReportOptions

# Bumped when the shape changes; a version stored in another shape is made again from the
# services (its figures may then differ: the report says it was rebuilt).
SHAPE = 1


def dump(report: MonthlyReport) -> str:
    content = asdict(report)
    content["month"] = str(report.month)
    content["shape"] = SHAPE
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def load(text: str) -> MonthlyReport | None:
    """The report stored in ``text``; None when it is of another shape."""
    content: dict[str, Any] = json.loads(text)
    if content.pop("shape", None) != SHAPE:
        return None
    pairs = ("sector_names", "element_names", "question_names")
    return MonthlyReport(
        **{
            **content,
            "month": Month.parse(content["month"]),
            "drivers": Drivers(**content["drivers"]),
            "options": ReportOptions(**content["options"]),
            **{name: {k: tuple(v) for k, v in content[name].items()} for name in pairs},
        }
    )

"""The comments inbox as CSV: what the page shows, every match, ready for Excel."""

import csv
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from app.comments.service import CommentsFound
from app.text import safe_cell

COLUMNS = ("submitted_at", "unit", "unit_name", "sector", "overall", "flagged", "tags", "text")


def comments_csv(found: CommentsFound, zone: ZoneInfo) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for c in found.comments:
        writer.writerow(
            [c.submitted_at.astimezone(zone).isoformat(), c.unit, safe_cell(c.unit_name),
             c.sector, c.overall or "", 1 if c.flagged else 0, safe_cell("; ".join(c.tags)),
             safe_cell(c.text)]
        )  # fmt: skip
    yield out.getvalue()

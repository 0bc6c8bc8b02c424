"""The monthly report of a month with many responses, in all formats.

    python -m bench.report [--rows 1000000] [--postgres URL] [--reuse]

Goal (issue 5): 1,000,000 responses in the month, HTML + XLSX + CSV in ≤ 10 s.

The month is tallied first, as the schedule does before it makes a report
(app.reports.schedule); the tallying is timed on its own.
"""

import argparse
import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.db import create_db_engine
from app.migrate import upgrade
from app.months import Month
from app.reports.content import build_report
from app.reports.render_files import to_csv, to_xlsx
from app.reports.render_html import to_html
from app.reports.render_pdf import to_pdf
from app.stats.tallying import tally_month
from app.surveys.forms import FormCatalog
from bench.analytics import build
from bench.common import OUT, seeded_postgres, seeded_sqlite

MONTH = Month(2026, 10)


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"  {label}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to test on")
    parser.add_argument("--reuse", action="store_true", help="the SQLite database of a last run")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    catalog = FormCatalog.from_directory()
    path = OUT / "report-bench.db"
    if args.reuse and path.exists() and not args.postgres:
        url = f"sqlite:///{path}"
    else:
        url = (seeded_postgres(args.postgres, "sipas_bench_report") if args.postgres
               else seeded_sqlite(path))  # fmt: skip
        started = time.perf_counter()
        build(url, args.rows, catalog, months=[(MONTH.year, MONTH.month)])
        print(f"{args.rows:,} responses in {MONTH} built in {time.perf_counter() - started:.0f} s")
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        timed("tallying the month (once, when it ends)", lambda: tally_month(
            session, catalog, str(MONTH), rebuild=True))  # fmt: skip
        started = time.perf_counter()
        report = timed("content (the analytics services)", lambda: build_report(
            session, catalog, MONTH))  # fmt: skip
        timed("HTML with charts", lambda: to_html(report))
        timed("XLSX", lambda: to_xlsx(report))
        timed("CSV", lambda: to_csv(report))
        total = time.perf_counter() - started
        timed("PDF, when asked for (goal ≤ 5 s)", lambda: to_pdf(report))
    engine.dispose()
    print(f"report for {MONTH} with {args.rows:,} responses, all formats: {total:.1f} s "
          f"(goal ≤ 10 s); {report.responses:,} responses analysed")  # fmt: skip


if __name__ == "__main__":
    main()

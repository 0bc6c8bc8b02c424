"""Satisfaction queries on N sipas-service responses in SQLite, against the bare GROUP BY
and against R's survey package on the same data.

    python -m bench.analytics [--rows 1000000] [--no-r] [--tallied-only] [--postgres URL]

Goals (issue 4): by sector, post-stratified, for `overall` and for all 19 criteria, on
1,000,000 responses: ≤ 1 s each and ≤ 1.5 × the bare GROUP BY measured in the same run.

Each query is timed twice: with the six months not tallied (every response read), and
after ``tally_closed_months`` (app.stats.tallies), which is timed too. The bare GROUP BY
is the responses' own, what the database does without tallies.
"""

import argparse
import csv
import random
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session, select

from app.db import create_db_engine
from app.migrate import upgrade
from app.models import Unit, Volume
from app.responses.records import ResponseRecord, insert_records
from app.stats.counts import pattern_counts, question_counts
from app.stats.indicators import plan, question_plans
from app.stats.params import parse_query
from app.stats.query import SatisfactionQuery
from app.stats.service import satisfaction
from app.stats.tallying import tally_closed_months
from app.surveys.forms import FormCatalog, Likert5
from bench.common import seeded_postgres, seeded_sqlite

OUT = Path(__file__).resolve().parent / "out"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SECTORS = {"land": 0.86, "construction": 0.88, "investment": 0.93, "justice": 0.96,
           "health": 0.9, "education": 0.94, "labour": 0.95}  # fmt: skip
MONTHS = [(2026, m) for m in range(5, 11)]
FROM, TO = "2026-05-01", "2026-10-31"


def build(
    url: str, rows: int, catalog: FormCatalog, months: list[tuple[int, int]] = MONTHS
) -> None:
    """Fill a seeded database with ``rows`` sipas-service responses over ``months`` (by
    default six)."""
    form = catalog.get("sipas-service", 1)
    assert form is not None
    likert = [q.id for q in form.questions if isinstance(q, Likert5) and q.id != "overall"]
    rng = random.Random(11)
    engine = create_db_engine(url, sqlite_synchronous="OFF")
    with Session(engine) as session:
        units = [u.id for u in session.exec(select(Unit)) if u.level != "city" and u.id]
        cells = [(u, s, m) for u in units for s in SECTORS for m in months]
        for unit_id, sector, (year, month) in cells:
            session.add(Volume(month=f"{year}-{month:02d}", unit_id=unit_id, sector_code=sector,
                               dossiers=rng.randrange(100, 3000)))  # fmt: skip
        session.commit()
        connection = session.connection()
        batch: list[ResponseRecord] = []
        for _ in range(rows):
            unit_id, sector, (year, month) = rng.choice(cells)
            satisfied = rng.random() < SECTORS[sector]
            overall = rng.choice((4, 5)) if satisfied else rng.choice((1, 2, 3))
            codes = [("overall", overall)]
            for qid in likert:
                roll = rng.random()
                if roll < 0.05:
                    continue
                codes.append(
                    (qid, 0 if roll < 0.1 else min(5, max(1, overall + rng.choice((-1, 0, 0, 1)))))
                )
            moment = datetime.combine(date(year, month, rng.randrange(1, 29)),
                                      clock(rng.randrange(7, 17)), tzinfo=ZONE)  # fmt: skip
            batch.append(ResponseRecord(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                submitted_at=moment.astimezone(UTC), unit_id=unit_id, sector_code=sector,
                channel="counter", form=form, source="import", codes=tuple(codes), texts=(),
                content_sha256="0" * 64,
            ))  # fmt: skip
            if len(batch) == 5000:
                insert_records(connection, batch, ZONE)
                batch.clear()
        insert_records(connection, batch, ZONE)
        session.commit()
    engine.dispose()


def median_time(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bare_group_by(session: Session, catalog: FormCatalog, query: SatisfactionQuery) -> None:
    """The service's GROUP BY of the responses alone, every row fetched."""
    plans = question_plans(catalog, query.indicator) if "question" in query.by else [
        plan(catalog, query.indicator)]  # fmt: skip
    if any(item.is_index for item in plans):
        for item in plans:
            pattern_counts(session, catalog, query, item, None, use_tallies=False)
    else:
        question_counts(session, catalog, query, plans, None, use_tallies=False)


def untallied(session: Session) -> None:
    """Drop every tally (a benchmark's reset, not an operation of the platform)."""
    for table in ("month_tally", "month_count", "tallied_month"):
        session.connection().execute(text(f"DELETE FROM {table}"))
    session.commit()


def r_timing(session: Session, catalog: FormCatalog, rows: int) -> tuple[float, float] | None:
    """R's svyby(svyciprop) by sector on the same responses: (seconds, largest |Δ rate|)."""
    if shutil.which("Rscript") is None:
        return None
    form = catalog.get("sipas-service", 1)
    assert form is not None
    position = form.slot_index["overall"] + 1
    data = OUT / f"r-input-{rows}.csv"
    with data.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cell", "sector", "y", "N"])
        result = session.connection().execute(text(
            f"SELECT r.unit_id || '|' || r.sector_code || '|' || r.month, r.sector_code,"
            f" substr(r.answer_codes, {position}, 1), v.dossiers FROM response r JOIN volume v"
            " ON v.unit_id = r.unit_id AND v.sector_code = r.sector_code AND v.month = r.month"
            " WHERE r.excluded = :excluded"  # flagged responses are out of scope, as in ours
        ), {"excluded": False})  # fmt: skip
        for cell, sector, code, dossiers in result:
            writer.writerow(
                [cell, sector, int(code in "45") if code in "12345" else "NA", dossiers]
            )
    script = f"""
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu="certainty", survey.use_rcpp=TRUE)  # its faster variance code
d <- read.csv("{data}")
started <- proc.time()[["elapsed"]]
d$w <- d$N / ave(rep(1, nrow(d)), d$cell, FUN = sum)
des <- svydesign(ids = ~1, strata = ~cell, weights = ~w, data = d, nest = TRUE)
r <- svyby(~y, ~sector, subset(des, !is.na(y)), svyciprop, method = "logit", vartype = "ci")
cat(proc.time()[["elapsed"]] - started, "\\n"); write.csv(r, "{OUT}/r-output.csv")
"""
    finished = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                              check=True)  # fmt: skip
    seconds = float(finished.stdout.split()[-1])
    query = parse_query(catalog, date_from=FROM, date_to=TO, by="sector",
                        weighting="poststratified")  # fmt: skip
    ours = {row["sector"]: row["rate"] for row in satisfaction(session, catalog, query).rows}
    with (OUT / "r-output.csv").open() as handle:
        theirs = {row["sector"]: float(row["y"]) for row in csv.DictReader(handle)}
    return seconds, max(abs(ours[s] - theirs[s]) for s in theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--only-r", action="store_true", help="skip our own timings")
    parser.add_argument("--no-index", action="store_true", help="skip the sipas index query")
    parser.add_argument(
        "--tallied-only",
        action="store_true",
        help="time the queries from the tallies alone (not from the responses, no bare GROUP BY)",
    )
    parser.add_argument("--postgres", metavar="SERVER_URL", help="run on PostgreSQL instead")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    catalog = FormCatalog.from_directory()
    if args.postgres:
        url = seeded_postgres(args.postgres, f"sipas_bench_{args.rows}")
        build(url, args.rows, catalog)
        with create_db_engine(url).connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        path = OUT / f"analytics-{args.rows}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            build(seeded_sqlite(path), args.rows, catalog)
    engine = create_db_engine(url)
    upgrade(engine)
    queries = () if args.only_r else (
        ("overall by sector", "sector", "overall"),
        ("all criteria by sector (by=sector,question)", "sector,question", "sipas"),
        ("sipas index by sector", "sector", "sipas"),
    )[: 2 if args.no_index else 3]  # fmt: skip
    with Session(engine) as session:
        untallied(session)
        for tallied in ((True,) if args.tallied_only else (False, True)) if queries else ():
            if tallied:
                started = time.perf_counter()
                months = tally_closed_months(session, catalog, ZONE)
                took = time.perf_counter() - started
                print(f"tallying {len(months)} months: {took:.2f} s (once, after they end)")
            for label, by, indicator in queries:
                query = parse_query(catalog, date_from=FROM, date_to=TO, by=by,
                                    indicator=indicator, weighting="poststratified")  # fmt: skip
                full = median_time(partial(satisfaction, session, catalog, query))
                source = "tallies" if tallied else "responses"
                if args.tallied_only:
                    print(f"{label}, from {source}: {full:.2f} s")
                    continue
                bare = median_time(partial(bare_group_by, session, catalog, query))
                print(f"{label}, from {source}: {full:.2f} s; bare GROUP BY of the responses "
                      f"{bare:.2f} s; ratio {full / bare:.2f}")  # fmt: skip
        if not args.no_r:
            timing = r_timing(session, catalog, args.rows)
            if timing is None:
                print("R: not installed")
            else:
                seconds, gap = timing
                tally_closed_months(session, catalog, ZONE)
                query = parse_query(catalog, date_from=FROM, date_to=TO, by="sector",
                                    weighting="poststratified")  # fmt: skip
                ours = median_time(lambda: satisfaction(session, catalog, query))
                print(
                    f"R survey, overall by sector: {seconds:.2f} s (design + svyby); ours "
                    f"(tallied) {ours:.2f} s = {ours / seconds:.4f} × R; largest |Δ rate| {gap:.1e}"
                )
    engine.dispose()


if __name__ == "__main__":
    main()

"""Import N responses from CSV into SQLite with `sipas import responses`; wall time, peak
memory, and the longest another writer (a counter's submission) waited for the write lock
meanwhile.

    python -m bench.import_responses [--rows 1000000] [--postgres SERVER_URL]

Goal (issue 2): 1,000,000 responses in ≤ 60 s with ≤ 500 MB peak memory. Goal (issue 14):
an import never holds the lock long enough for a submission to fail (its wait ≪ 30 s).
"""

import argparse
import csv
import random
import resource
import sqlite3
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.seeding.reference import REFERENCE_DIR
from bench.common import SIPAS, seeded, sipas_env, tree_rss_mb

OUT = Path(__file__).resolve().parent / "out"
HEADER = [
    "id", "submitted_at", "unit_code", "sector", "channel", "procedure_code", "form_id",
    "form_version", "access", "procedure", "staff", "result", "feedback", "overall", "improve",
    "comment",
]  # fmt: skip


def write_responses(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with (REFERENCE_DIR / "haiphong_units.csv").open(encoding="utf-8") as reference:
        units = [row["code"] for row in csv.DictReader(reference) if row["level"] != "city"]
    sectors = ["land", "justice", "construction", "labour", "business", "education", "health"]
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for _ in range(rows):
            overall = rng.choice((5, 5, 5, 4, 4, 4, 4, 3, 2, 1))
            elements = [str(min(5, max(1, overall + rng.choice((-1, 0, 0, 1))))) for _ in range(4)]
            submitted = start + timedelta(seconds=rng.randrange(170 * 86400))
            writer.writerow([
                uuid.UUID(int=rng.getrandbits(128), version=4),
                submitted.isoformat(),
                rng.choice(units),
                rng.choice(sectors),
                "paper",
                "",
                "counter-quick",
                1,
                *elements,
                rng.choice(("0", "4", "5", "")),
                overall,
                "2" if overall <= 3 and rng.random() < 0.5 else "",
                "Cần cải thiện thời gian chờ" if rng.random() < 0.02 else "",
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="import into PostgreSQL")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"responses-{args.rows}.csv"
    if not csv_path.exists():
        print(f"writing {args.rows:,} responses to {csv_path} …")
        write_responses(csv_path, args.rows)
    url = seeded(args.postgres, "import-bench")
    waits: list[float] = []
    done = threading.Event()
    # PostgreSQL has no database-wide write lock to wait for: only SQLite's is probed.
    path = OUT / "import-bench.db"
    prober = threading.Thread(target=probe_write_lock, args=(path, done, waits))
    if not args.postgres:
        prober.start()
    started = time.perf_counter()
    importer = subprocess.Popen(
        [SIPAS, "import", "responses", str(csv_path)],
        env=sipas_env(url, OUT),
        stderr=subprocess.DEVNULL,
    )
    # The import checks a large file in worker processes: their memory counts too.
    together_mb = 0.0
    try:
        while importer.poll() is None:
            together_mb = max(together_mb, tree_rss_mb(importer.pid))
            time.sleep(0.2)
    finally:
        done.set()
        if prober.is_alive():
            prober.join()
    if importer.returncode:
        raise SystemExit(f"the import failed ({importer.returncode})")
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"import responses ({database}): {args.rows:,} rows in {elapsed:.1f} s "
        f"({args.rows / elapsed:,.0f} rows/s), peak memory {together_mb:.0f} MB for the "
        f"import's processes together ({peak_mb:.0f} MB the largest)"
        + (
            f"; meanwhile another writer took the lock {len(waits)} times, the longest "
            f"wait {max(waits):.2f} s"
            if waits
            else ""
        )
    )


def probe_write_lock(path: Path, done: threading.Event, waits: list[float]) -> None:
    """Every 100 ms, take SQLite's write lock as a submission would, and let it go."""
    with sqlite3.connect(path, timeout=120, isolation_level=None) as db:
        while not done.is_set():
            asked = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            waits.append(time.perf_counter() - asked)
            time.sleep(0.1)


if __name__ == "__main__":
    main()

"""A day's frame of dossiers imported and sampled, and a month imported, on SQLite.

    python -m bench.dossiers [--day 50000] [--month 0]

Goal (issue 17): a day of 50,000 dossiers imported and sampled ≤ 10 s; a month of
1.5 M imported ≤ 2 min.
"""

import argparse
import csv
import io
import random
import time
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app import clock
from app.clock import FixedClock
from app.config import Settings
from app.db import create_db_engine
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import draw_sample
from app.dossiers.service import import_dossier_file
from app.models import Procedure, Unit
from bench.common import OUT, seeded_sqlite

FIELDS = ("MaHoSo", "MaTTHC", "MaDinhDanh", "KenhThucHien", "NgayTiepNhan", "NgayHenTra",
          "NgayKetThucXuLy", "TrangThaiHoSo", "SoDienThoai")  # fmt: skip


def export(url: str, rows: int, first_day: date, days: int, seed: int = 1) -> io.BytesIO:
    """A vendor's CSV of ``rows`` finished dossiers over ``days`` days (synthetic)."""
    rng = random.Random(seed)
    engine = create_db_engine(url)
    with Session(engine) as session:
        communes = select(Unit.code).where(col(Unit.level).in_(("ward", "commune")))
        units = list(session.exec(communes))
        procedures = list(session.exec(select(Procedure.code)))
    engine.dispose()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for number in range(rows):
        day = first_day + timedelta(days=number % days)
        received = datetime(day.year, day.month, day.day, 8) - timedelta(days=rng.randint(1, 9))
        finished = datetime(day.year, day.month, day.day, rng.randint(8, 16), rng.randint(0, 59))
        due = received + timedelta(days=rng.choice((5, 7, 10)))
        writer.writerow([
            f"BENCH-{seed}-{number:08d}", f"{rng.choice(procedures)}.000.00.00.H56",
            rng.choice(units), rng.choice("112"), f"{received:%Y%m%d%H%M%S}",
            f"{due:%Y%m%d%H%M%S}", f"{finished:%Y%m%d%H%M%S}", "10",
            f"09{rng.randrange(10**8):08d}",
        ])  # fmt: skip
    return io.BytesIO(out.getvalue().encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", type=int, default=50_000)
    parser.add_argument("--month", type=int, default=0, help="also import a month of this many")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = seeded_sqlite(OUT / "dossiers-bench.db")
    settings = Settings(database_url=url, secret_key="bench-secret-" + "x" * 40)
    day = date(2026, 10, 8)
    mapping = load_mapping()
    engine = create_db_engine(url)
    with clock.using(FixedClock(datetime(2026, 10, 8, 20, 0).astimezone())):
        content = export(url, args.day, day, 1)
        started = time.perf_counter()
        with Session(engine) as session:
            result = import_dossier_file(session, "day.csv", content, mapping, settings, "bench")
            imported = time.perf_counter() - started
            draw = draw_sample(session, day, settings, seed=1)
            total = time.perf_counter() - started
            print(f"a day of {result.rows:,} dossiers: imported in {imported:.1f} s, sampled "
                  f"({draw.invited:,} invited of {draw.eligible:,}) in {total - imported:.1f} s;"
                  f" {total:.1f} s in all (goal ≤ 10 s)")  # fmt: skip
    if args.month:
        content = export(url, args.month, date(2026, 9, 1), 30, seed=2)
        with clock.using(FixedClock(datetime(2026, 9, 30, 20, 0).astimezone())):
            started = time.perf_counter()
            with Session(engine) as session:
                result = import_dossier_file(session, "month.csv", content, mapping, settings,
                                             "bench")  # fmt: skip
            print(f"a month of {result.rows:,} dossiers imported in "
                  f"{time.perf_counter() - started:.1f} s (goal ≤ 120 s)")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()

"""Migration 0022 on a database that ``bench.analytics --postgres`` built: the responses
moved out of their monthly partitions into one table (downgrade) and back (upgrade),
timed, with each partition's rows and size.

    python -m bench.analytics --rows 10000000 --no-r --tallied-only --postgres URL
    python -m bench.partitions --database postgresql+psycopg://…/sipas_bench_10000000

Issue 15 asks for responses partitioned by month on PostgreSQL, managed by migrations.
"""

import argparse
import time

from alembic import command
from sqlalchemy import text

from app.db import create_db_engine
from app.migrate import alembic_config

_PARTITIONS = """
SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'response'::regclass ORDER BY c.relname
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="the URL of a built PostgreSQL database")
    args = parser.parse_args()
    config = alembic_config(args.database)
    started = time.perf_counter()
    command.downgrade(config, "0021")
    print(f"downgrade to one table: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    command.upgrade(config, "head")
    print(f"upgrade to monthly partitions: {time.perf_counter() - started:.1f} s")
    engine = create_db_engine(args.database)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE response")
        for name, rows, size in connection.execute(text(_PARTITIONS)):
            print(f"  {name}: {rows:,} rows, {size / rows if rows else 0:.0f} bytes a row")
        size = connection.execute(text("SELECT pg_total_relation_size('response_key')"))
        total = connection.execute(text("SELECT count(*) FROM response_key")).scalar_one()
        print(f"  response_key: {size.scalar_one() / max(total, 1):.0f} bytes a response")
    engine.dispose()


if __name__ == "__main__":
    main()

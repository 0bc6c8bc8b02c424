"""The four analytics routes over HTTP on a database that ``bench.analytics`` built (and
tallied): server time (``Server-Timing``) and the client's round trip, median of 3.

    python -m bench.analytics --rows 10000000 --no-r --tallied-only --postgres URL
    python -m bench.analytics_routes --database postgresql+psycopg://…/sipas_bench_10000000

Issue 15 asks for these on ten million responses in PostgreSQL.
"""

import argparse
import re
import statistics
import subprocess
import time

import httpx

from bench.analytics import FROM, TO
from bench.common import OUT, SIPAS, sipas_env, sipas_server

ROUTES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("satisfaction by sector", "/api/v1/analytics/satisfaction", {"by": "sector"}),
    ("satisfaction, every criterion", "/api/v1/analytics/satisfaction",
     {"by": "sector,question", "indicator": "sipas"}),
    ("the sipas index by sector", "/api/v1/analytics/satisfaction",
     {"by": "sector", "indicator": "sipas"}),
    ("targets", "/api/v1/analytics/targets", {}),
    ("trend by sector", "/api/v1/analytics/trend", {"by": "sector"}),
    ("drivers", "/api/v1/analytics/drivers", {}),
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="the URL of a built database")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    env = sipas_env(args.database, OUT)
    subprocess.run([SIPAS, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run([SIPAS, "apikey", "create", "--role", "analyst"], env=env,
                             check=True, capture_output=True, text=True)  # fmt: skip
    key = created.stdout.split()[-1]
    period = {"from": FROM, "to": TO}
    bearer = {"Authorization": f"Bearer {key}"}
    with sipas_server(env) as base, httpx.Client(base_url=base, timeout=600, headers=bearer) as web:
        for label, path, params in ROUTES:
            server, client = [], []
            for _ in range(3):
                started = time.perf_counter()
                answer = web.get(path, params={**period, **params})
                client.append(time.perf_counter() - started)
                answer.raise_for_status()
                timing = re.search(r"app;dur=([\d.]+)", answer.headers["server-timing"])
                assert timing is not None
                server.append(float(timing.group(1)) / 1000)
            print(f"{label}: server {statistics.median(server):.2f} s, "
                  f"round trip {statistics.median(client):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()

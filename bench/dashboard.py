"""The analysts' dashboard: server time of each kind of view over the demo's six months,
or over one month of ``--rows`` responses.

    python -m bench.dashboard [--repeat 5] [--rows 1000000]

Goals (issue 13): any view of a demo month ≤ 500 ms of server time; a month of a million
responses ≤ 2 s. The figure is the
app's own ``Server-Timing`` (the request inside the application, middleware included),
the median of ``--repeat`` requests after one warm-up; closed months are tallied first, as
``sipas serve`` does at start-up.
"""

import argparse
import re
import statistics
import subprocess

import httpx

from app.surveys.forms import FormCatalog
from bench.analytics import build
from bench.common import OUT, SIPAS, seeded_sqlite, sipas_env, sipas_server

VIEWS = {
    "city, month": "period={month}",
    "city, quarter": "period={quarter}",
    "city, year": "period={year}",
    "city, 10-day range": "from={month}-05&to={month}-14",
    "land, month": "period={month}&sector=land",
    "land, quarter": "period={quarter}&sector=land",
    "unit, month": "period={month}&unit=10507",
    "unit in land, quarter": "period={quarter}&sector=land&unit=10507",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, help="one month (October 2026) of this many")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / "dashboard-bench.db"
    path.unlink(missing_ok=True)
    env = sipas_env(f"sqlite:///{path}", OUT)
    if args.rows:
        build(seeded_sqlite(path), args.rows, FormCatalog.from_directory(), months=[(2026, 10)])
        setup = [["analytics", "tally"]]
    else:
        setup = [["db", "upgrade"], ["seed", "--demo"], ["analytics", "tally"]]
    for command in setup:
        subprocess.run([SIPAS, *command], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [SIPAS, "apikey", "create", "--role", "analyst"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[0]  # fmt: skip
    with sipas_server(env) as base, httpx.Client(base_url=base, timeout=60) as http:
        http.post("/dashboard/login", data={"api_key": key}, headers={"Origin": base})
        page = http.get("/dashboard").text
        # The last closed month (the current one may hold a day or two), or the built one.
        months = re.findall(r'<option value="(\d{4}-\d{2})"', page)
        assert len(months) > 1, "the dashboard did not open"
        last = "2026-10" if args.rows else months[1]
        year, number = last.split("-")
        values = {
            "month": last,
            "quarter": f"{year}-Q{(int(number) - 1) // 3 + 1}",
            "year": year,
        }
        data = f"{args.rows:,} responses in 2026-10" if args.rows else "the demo"
        print(f"dashboard on {data} (SQLite), {args.repeat} requests per view, median:")
        for name, query in VIEWS.items():
            url = "/dashboard?" + query.format(**values)
            http.get(url).raise_for_status()
            times = []
            for _ in range(args.repeat):
                answer = http.get(url)
                answer.raise_for_status()
                timing = re.search(r"app;dur=([\d.]+)", answer.headers["server-timing"])
                assert timing
                times.append(float(timing.group(1)))
            print(f"  {name:24} {statistics.median(times):7.1f} ms  ({url})")


if __name__ == "__main__":
    main()

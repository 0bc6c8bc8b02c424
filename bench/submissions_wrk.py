"""Submission throughput measured with wrk (a C load generator: a Python client saturates
before the server does), against a bare FastAPI endpoint that validates the same body, in
the same run; and the server's CPU time per stored response (its writer process's
included), beside the bare endpoint's per request: this machine's speed moves both.

    python -m bench.submissions_wrk [--seconds 10] [--connections 32] [--postgres URL]
                                    [--phones]

Goal (issue 15): ≥ 70 % of the bare rate, ≤ 1 ms of server CPU per stored response, on
SQLite (synchronous FULL), one worker. wrk and the server share this machine's cores.

wrk sends from one address and without cookies, so every response but the first is one
device's repeat (flagged, left out of the analysis). ``--phones`` gives each request a
device cookie of its own, as a counter's citizens on their own phones: every response
counts, and the writer checks each device's last answer.
"""

import argparse
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from app.db import create_db_engine
from app.models import Response
from bench.common import (
    OUT,
    SIPAS,
    cpu_seconds,
    free_port,
    running_process,
    seeded,
    sipas_env,
)
from bench.page import add_counter
from bench.submissions import body

_RUNS = itertools.count(random.randrange(1 << 28))

# Each request a new response id: a run's own number, wrk's threads numbered apart
# (``thread_id`` is a global each thread's state is given by ``setup``).
_SCRIPT = """
local counter = 0
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end
function request()
  counter = counter + 1
  local id = string.format("%08x-%04x-4000-8000-%012x", RUN, thread_id, counter)
  local body = string.gsub(TEMPLATE, "RESPONSE_ID", id)
  local headers = {["Content-Type"] = "application/json"}
  if PHONES then
    headers["Cookie"] = "sipas_device=" .. id
  end
  return wrk.format("POST", "/api/v1/responses", headers, body)
end
"""


def wrk_script(path: Path, run: int, phones: bool = False) -> Path:
    started = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    template = body(started)
    template["id"] = "RESPONSE_ID"
    lua_string = json.dumps(json.dumps(template, ensure_ascii=False), ensure_ascii=False)
    flags = f"RUN = {run}\nPHONES = {'true' if phones else 'false'}\n"
    path.write_text(f"TEMPLATE = {lua_string}\n{flags}{_SCRIPT}", encoding="utf-8")
    return path


def run_wrk(base: str, seconds: int, connections: int, phones: bool) -> tuple[float, int]:
    """(requests per second, requests that were not 2xx), every id new."""
    script = wrk_script(OUT / "submission.lua", next(_RUNS), phones)
    out = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(script), f"{base}/api/v1/responses"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)  # the latency distribution's line
    print(f"    wrk: {rate:,.0f} requests/s, p99 {p99.group(1) if p99 else '?'}")
    return rate, int(errors.group(1)) if errors else 0


def stored(url: str) -> int:
    engine = create_db_engine(url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Response)).one()
    engine.dispose()
    return int(count)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to test on")
    parser.add_argument("--phones", action="store_true", help="a device cookie per request")
    args = parser.parse_args()
    url = seeded(args.postgres, "sipas_bench_wrk")
    add_counter(url)
    env = sipas_env(url, OUT)
    bare_port, port = free_port(), free_port()
    bare = [sys.executable, "-m", "uvicorn", "bench.bare_endpoint:app", "--port", str(bare_port)]
    serve = [SIPAS, "serve", "--no-migrate",
             "--port", str(port)]  # fmt: skip
    # Both servers up at once and measured in turns: this machine's speed drifts by a
    # third from minute to minute, which one run each would take for a difference.
    rates: list[tuple[float, float]] = []
    cpu, count, errors = 0.0, 0, 0
    bare_cpu, bare_count = 0.0, 0
    with (
        running_process(bare, env, bare_port, "/healthz") as (bare_base, bare_pid),
        running_process(serve, env, port, "/healthz") as (base, pid),
    ):
        run_wrk(bare_base, 2, args.connections, args.phones)  # warm-up
        run_wrk(base, 2, args.connections, args.phones)
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}: bare endpoint (validates the body, stores nothing), then "
                  "sipas (validated, stored, committed before 201)")  # fmt: skip
            used = cpu_seconds(bare_pid)
            baseline, _ = run_wrk(bare_base, args.seconds, args.connections, args.phones)
            bare_cpu += cpu_seconds(bare_pid) - used
            bare_count += round(baseline * args.seconds)
            before, used = stored(url), cpu_seconds(pid)
            rate, failed = run_wrk(base, args.seconds, args.connections, args.phones)
            cpu += cpu_seconds(pid) - used
            count += stored(url) - before
            errors += failed
            rates.append((rate, baseline))
    database = ("PostgreSQL" if args.postgres else "SQLite") + (", phones" if args.phones else "")
    ratios = sorted(rate / baseline for rate, baseline in rates)
    print(
        f"{database}: median {statistics.median(r for r, _ in rates):,.0f}/s stored vs "
        f"{statistics.median(b for _, b in rates):,.0f}/s bare; ratio median "
        f"{statistics.median(ratios):.0%} (range {ratios[0]:.0%}–{ratios[-1]:.0%}; goal ≥ 70 %); "
        f"{1000 * cpu / max(count, 1):.2f} ms server CPU per stored response (goal ≤ 1 ms; "
        f"the bare endpoint's a request: {1000 * bare_cpu / max(bare_count, 1):.2f} ms); "
        f"{count:,} stored, {errors} not 2xx"
    )


if __name__ == "__main__":
    main()

"""Citizens' submissions while ``sipas serve`` catches up at start-up: the demo's six
months tallied and their reports made by the embedded schedule, while a steady stream of
submissions (a busy city's peak, by default 20 a second) arrives from the first moment,
and an operator runs a writing command (``sipas apikey create``) every second.

    python -m bench.catch_up [--rate 20] [--after 5]

Goals (issue 15): background work holds SQLite's write lock ≤ 250 ms at a time, so
submissions' p99 during the catch-up is ≤ 300 ms, and the command answers at once (as fast
as when the server is idle). A probe takes the write lock every 10 ms, as every writer
takes it: its longest wait bounds the longest that anyone held it.
"""

import argparse
import asyncio
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import Session

from app import clock
from app.config import Settings
from app.db import create_db_engine
from app.seeding.demo import seed_demo
from app.surveys.forms import FormCatalog
from app.write_lock import WriteLock
from bench.common import OUT, SIPAS, free_port, running_process, seeded_sqlite, sipas_env
from bench.page import add_counter
from bench.submissions import body

FINISHED = "scheduled run finished"


def demo_database(path: Path) -> str:
    url = seeded_sqlite(path)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_demo(session, FormCatalog.from_directory(), Settings().zone, clock.now())
    engine.dispose()
    add_counter(url)
    return url


async def steady_load(
    base: str, rate: float, log: Path, after: float, began: float
) -> list[tuple[float, float, int]]:
    """Submit ``rate`` a second until the catch-up is over and ``after`` seconds more:
    (seconds since ``began``, latency in ms, status) of each."""
    started = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    results: list[tuple[float, float, int]] = []
    finished_at: float | None = None

    async def one(http: httpx.AsyncClient) -> None:
        sent = time.perf_counter()
        answer = await http.post("/api/v1/responses", json=body(started))
        results.append((sent - began, (time.perf_counter() - sent) * 1000, answer.status_code))

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        tasks = []
        n = 0
        while finished_at is None or time.perf_counter() < finished_at + after:
            n += 1
            tasks.append(asyncio.create_task(one(http)))
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            if finished_at is None and n % int(rate) == 0 and FINISHED in log.read_text():
                finished_at = time.perf_counter()
            if time.perf_counter() - began > 600:
                sys.exit("the catch-up did not finish within 10 minutes")
        await asyncio.gather(*tasks)
    results.append((finished_at - began, 0.0, 0))  # the mark
    return results


async def operator_writes(
    env: dict[str, str], began: float, until: threading.Event
) -> list[tuple[float, float]]:
    """``sipas apikey create`` once a second until ``until`` is set: (seconds since
    ``began``, wall seconds) of each."""
    command = [SIPAS, "apikey", "create", "--role", "analyst"]
    runs: list[tuple[float, float]] = []
    while not until.is_set():
        sent = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        if await process.wait() != 0:
            sys.exit("sipas apikey create failed")
        runs.append((sent - began, time.perf_counter() - sent))
        await asyncio.sleep(1)
    return runs


def probe_lock(database: Path, began: float, until: threading.Event) -> list[tuple[float, float]]:
    """Take the database's write lock every 10 ms until ``until`` is set: (seconds since
    ``began``, ms waited) of each."""
    lock = WriteLock(database)
    waits: list[tuple[float, float]] = []
    while not until.is_set():
        asked = time.perf_counter()
        with lock:
            waits.append((asked - began, (time.perf_counter() - asked) * 1000))
        time.sleep(0.01)
    return waits


async def measure(
    base: str, env: dict[str, str], database: Path, rate: float, log: Path, after: float
) -> tuple[list[tuple[float, float, int]], list[tuple[float, float]], list[tuple[float, float]]]:
    """The submissions, the operator's commands and the lock probe's waits."""
    began = time.perf_counter()
    done = threading.Event()  # read by the probe's thread and the operator's task alike
    operator = asyncio.create_task(operator_writes(env, began, done))
    probe = asyncio.create_task(asyncio.to_thread(probe_lock, database, began, done))
    submissions = await steady_load(base, rate, log, after, began)
    done.set()
    return submissions, await operator, await probe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions a second")
    parser.add_argument("--after", type=float, default=5.0, help="seconds after the catch-up")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    database = OUT / "catch-up.db"
    url = demo_database(database)
    env = sipas_env(url, OUT)
    env["SIPAS_REPORT_SCHEDULER"] = "true"
    log = OUT / "catch-up.log"
    port = free_port()
    serve = [SIPAS, "serve", "--no-migrate",
             "--port", str(port)]  # fmt: skip
    with running_process(serve, env, port, "/healthz", log) as (base, _):
        results, commands, waits = asyncio.run(
            measure(base, env, database, args.rate, log, args.after)
        )
    catch_up = results.pop()[0]
    during = sorted(latency for at, latency, _ in results if at <= catch_up)
    later = sorted(latency for at, latency, _ in results if at > catch_up)
    statuses = {status: sum(1 for *_, s in results if s == status) for *_, status in results}
    reports = log.read_text().count('version 1 done"')

    def summary(latencies: list[float]) -> str:
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
        return (f"{len(latencies)} submissions, p50 {statistics.median(latencies):.0f} ms, "
                f"p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms")  # fmt: skip

    print(f"catch-up (tallies and {reports} reports): {catch_up:.1f} s after the server answered")
    print(f"during it: {summary(during)} (goal p99 ≤ 300 ms)")
    print(f"after it: {summary(later)}")
    print(f"statuses: {statuses}")
    held = max(wait for at, wait in waits if at <= catch_up)
    print(f"the write lock during it: the probe's longest wait {held:.0f} ms over {len(waits)} "
          "takes (goal: held ≤ 250 ms at a time)")  # fmt: skip
    for phase, walls in (
        ("during it", [wall for at, wall in commands if at <= catch_up]),
        ("after it", [wall for at, wall in commands if at > catch_up]),
    ):
        if walls:
            print(f"`sipas apikey create` {phase}: {len(walls)} runs, median "
                  f"{statistics.median(walls):.2f} s, max {max(walls):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()

"""Accepted-and-committed responses per second through ``POST /api/v1/responses``,
against a bare FastAPI endpoint that only validates the same body, in the same run.

    python -m bench.submissions [--requests 3000] [--clients 16] [--postgres URL]
        [--slow-fsync-ms 5]

Goal (issue 3): ≥ 70 % of the baseline on SQLite, with no response lost; PostgreSQL
reported. The load generator runs on the same two cores as the server, for both.
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, select

from app.db import create_db_engine
from app.models import Response
from bench.common import (
    OUT,
    free_port,
    running,
    seeded,
    sipas_env,
    sipas_server,
)
from bench.page import SLUG, add_counter


def body(started: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "slug": SLUG,
        "form_id": "counter-quick",
        "form_version": 1,
        "language": "vi",
        "sector": "land",
        "answers": {
            "access": 4,
            "procedure": 5,
            "staff": 5,
            "result": 4,
            "feedback": 0,
            "overall": 5,
            "comment": "Cán bộ hướng dẫn tận tình",
        },
        "started_at": started,
    }


ACKNOWLEDGED: set[str] = set()


async def load(base: str, requests: int, clients: int) -> tuple[float, list[float], dict[int, int]]:
    """Send ``requests`` bodies from ``clients`` concurrent clients: (seconds, latencies in
    ms, count per status). Acknowledged ids are kept to check that none was lost."""
    started = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    bodies = [body(started) for _ in range(requests)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client(share: list[dict[str, Any]]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for one in share:
                sent = time.perf_counter()
                response = await http.post("/api/v1/responses", json=one)
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code in (200, 201):
                    ACKNOWLEDGED.add(one["id"])

    began = time.perf_counter()
    await asyncio.gather(*(client(bodies[i::clients]) for i in range(clients)))
    return time.perf_counter() - began, latencies, statuses


def report(label: str, seconds: float, latencies: list[float], statuses: dict[int, int]) -> float:
    latencies.sort()
    rate = statuses.get(201, 0) / seconds
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"{label}: {rate:,.0f} accepted/s; p50 {statistics.median(latencies):.1f} ms, "
          f"p99 {p99:.1f} ms; statuses {statuses}")  # fmt: skip
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to test on")
    parser.add_argument("--slow-fsync-ms", type=float, default=0,
                        help="play a slower disk: each fsync of the server takes this")  # fmt: skip
    args = parser.parse_args()
    url = seeded(args.postgres, "sipas_bench_submissions")
    add_counter(url)
    env = sipas_env(url, OUT)
    port = free_port()
    bare = [sys.executable, "-m", "uvicorn", "bench.bare_endpoint:app", "--port", str(port)]
    with running(bare, env, port, "/healthz") as base:
        asyncio.run(load(base, 200, args.clients))  # warm-up
        baseline = report("bare endpoint", *asyncio.run(load(base, args.requests, args.clients)))
    ACKNOWLEDGED.clear()  # the bare endpoint stores nothing
    with sipas_server(env, args.slow_fsync_ms) as base:
        asyncio.run(load(base, 200, args.clients))  # warm-up
        seconds, latencies, statuses = asyncio.run(load(base, args.requests, args.clients))
        rate = report("sipas (validated, stored, committed)", seconds, latencies, statuses)
    engine = create_db_engine(url)
    with Session(engine) as session:
        stored = {str(rid) for rid in session.exec(select(Response.id))}
    engine.dispose()
    lost = ACKNOWLEDGED - stored
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{database}: {rate / baseline:.0%} of the baseline (goal ≥ 70 % on SQLite); "
        f"{len(stored):,} rows stored, {len(ACKNOWLEDGED):,} acknowledged, lost: {len(lost)}"
    )


if __name__ == "__main__":
    main()

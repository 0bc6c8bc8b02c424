"""Submissions under load while the server is killed (SIGKILL) and restarted: nothing
acknowledged may be lost or stored twice.

    python -m bench.load_faults [--requests 100000] [--clients 64] [--kills 2] [--postgres URL]

Clients retry a request with the same id and body until it is acknowledged (201 or 200),
as the survey page's offline queue does. Afterwards every acknowledged id must be stored
exactly once, and nothing else stored.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, func, select

from app.db import create_db_engine
from app.models import Response
from bench.common import OUT, SIPAS, free_port, seeded_postgres, seeded_sqlite, sipas_env
from bench.page import add_counter
from bench.submissions import body


@dataclass
class Outcome:
    acknowledged: set[str] = field(default_factory=set)
    retries: int = 0
    restarts: int = 0
    seconds: float = 0.0
    stored: int = 0
    missing: int = 0

    @property
    def lost_or_doubled(self) -> int:
        return self.missing + max(0, self.stored - len(self.acknowledged))


class Server:
    """``sipas serve`` on a fixed port, killed and started again on demand."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.port = env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [SIPAS, "serve", "--no-migrate", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# A client that sees no acknowledgement for this long stops the run: the server is not
# coming back, and a benchmark must fail rather than hang.
STALL_SECONDS = 120


async def _client(http: httpx.AsyncClient, bodies: list[dict[str, Any]], outcome: Outcome) -> None:
    for one in bodies:
        deadline = time.monotonic() + STALL_SECONDS
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no acknowledgement for {STALL_SECONDS} s: is the server up?")
            try:
                response = await http.post("/api/v1/responses", json=one)
                if response.status_code in (200, 201):
                    outcome.acknowledged.add(str(one["id"]))
                    break
                if response.status_code < 500 and response.status_code != 429:
                    raise RuntimeError(f"refused: {response.status_code} {response.text}")
            except httpx.TransportError:
                pass
            outcome.retries += 1
            await asyncio.sleep(0.05)


async def _load(server: Server, total: int, clients: int, kills: int, outcome: Outcome) -> None:
    started = time.time() - 120
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(started))
    bodies = [body(stamp) for _ in range(total)]
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=10, limits=limits) as http:
        tasks = [asyncio.create_task(_client(http, bodies[i::clients], outcome))
                 for i in range(clients)]  # fmt: skip
        for kill in range(1, kills + 1):
            while len(outcome.acknowledged) < total * kill // (kills + 1):
                await asyncio.sleep(0.05)
            server.kill()
            server.start()
            outcome.restarts += 1
        await asyncio.gather(*tasks)


def run(database_url: str, total: int, clients: int, kills: int, workdir: Path = OUT) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    env = sipas_env(database_url, workdir)
    server = Server(env)
    server.start()
    outcome = Outcome()
    began = time.perf_counter()
    try:
        asyncio.run(_load(server, total, clients, kills, outcome))
    finally:
        server.stop()
    outcome.seconds = time.perf_counter() - began
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        outcome.stored = session.exec(select(func.count()).select_from(Response)).one()
        found: set[str] = set()
        ids = sorted(outcome.acknowledged)
        for start in range(0, len(ids), 5000):
            chunk = [uuid.UUID(i) for i in ids[start : start + 5000]]
            found |= {str(i) for i in session.exec(select(Response.id).where(
                col(Response.id).in_(chunk)))}  # fmt: skip
        outcome.missing = len(outcome.acknowledged - found)
    engine.dispose()
    return outcome


def prepared(postgres: str | None, name: str) -> str:
    url = seeded_postgres(postgres, name) if postgres else seeded_sqlite(OUT / f"{name}.db")
    add_counter(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to test on")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = prepared(args.postgres, "sipas_bench_faults")
    outcome = run(url, args.requests, args.clients, args.kills)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}: {args.requests:,} submissions from {args.clients} clients, "
          f"{outcome.restarts} SIGKILL restarts, {outcome.seconds:.0f} s "
          f"({len(outcome.acknowledged) / outcome.seconds:,.0f}/s), {outcome.retries:,} retries; "
          f"acknowledged {len(outcome.acknowledged):,}, stored {outcome.stored:,}, "
          f"missing {outcome.missing}, lost or doubled {outcome.lost_or_doubled}")  # fmt: skip


if __name__ == "__main__":
    main()

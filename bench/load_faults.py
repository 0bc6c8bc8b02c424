"""Submissions under load while the server is killed (SIGKILL) and restarted: nothing
acknowledged may be lost or stored twice.

    python -m bench.load_faults [--requests 100000] [--clients 64] [--kills 2] [--postgres URL]
        [--alert-interval 15]

Clients retry a request with the same id and body until it is acknowledged (201 or 200),
as the survey page's offline queue does. Afterwards every acknowledged id must be stored
exactly once, and nothing else stored.

Every tenth response answers overall 1, which an alert rule sends to a webhook receiver
run here (it checks each signature). The server's alert worker runs through the kills;
afterwards every stored response that matched must have reached the receiver exactly
once: none lost, none doubled (a retry of a delivery whose answer the kill cut off comes
with the same Idempotency-Key, and counts as a repeat the receiver drops, not a double).
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, func, select

from app.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from app.db import create_db_engine
from app.models import Alert, AlertDelivery, AlertRule, Response
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

    alerts_expected: int = 0
    alerts_received: int = 0
    alerts_lost: int = 0
    alerts_doubled: int = 0
    repeats: int = 0  # the same delivery again (same key): dropped by the receiver
    unsigned: int = 0
    alert_seconds: list[float] = field(default_factory=list)

    @property
    def lost_or_doubled(self) -> int:
        return self.missing + max(0, self.stored - len(self.acknowledged))


SECRET = "bench-webhook-secret-0123456789abcdef"
EVERY_NTH_UNHAPPY = 10


class Receiver:
    """A webhook endpoint that checks signatures and keeps, per alert, the deliveries
    that carried it and when it first arrived."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.alert_keys: dict[str, set[str]] = {}
        self.first_seen: dict[str, float] = {}
        self.unsigned = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signed = verify(SECRET, self.headers.get(TIMESTAMP_HEADER, ""), raw,
                                self.headers.get(SIGNATURE_HEADER, ""), time.time())  # fmt: skip
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.unsigned += not signed
                    receiver.keys[key] += 1
                    for alert in json.loads(raw)["alerts"]:
                        receiver.alert_keys.setdefault(alert["alert_id"], set()).add(key)
                        receiver.first_seen.setdefault(alert["alert_id"], time.time())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def add_rule(database_url: str, url: str) -> None:
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        session.add(AlertRule(name="bench: overall 1", scope="city", overall_at_most=1,
                              recipient="webhook", target=url, secret=SECRET))  # fmt: skip
        session.commit()
    engine.dispose()


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
    for unhappy in bodies[::EVERY_NTH_UNHAPPY]:
        unhappy["answers"]["overall"] = 1
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


def run(
    database_url: str,
    total: int,
    clients: int,
    kills: int,
    workdir: Path = OUT,
    alert_interval: int = 15,
) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    env = sipas_env(database_url, workdir)
    env["SIPAS_ALERT_INTERVAL_SECONDS"] = str(alert_interval)
    receiver = Receiver()
    add_rule(database_url, receiver.url)
    server = Server(env)
    server.start()
    outcome = Outcome()
    began = time.perf_counter()
    engine = create_db_engine(database_url)
    try:
        asyncio.run(_load(server, total, clients, kills, outcome))
        outcome.seconds = time.perf_counter() - began
        _wait_for_alerts(engine)
    finally:
        server.stop()
        receiver.server.shutdown()
        receiver.server.server_close()
    with Session(engine) as session:
        sent_at = dict(session.exec(select(Alert.id, Alert.created_at)).all())
    outcome.alerts_expected = len(sent_at)
    outcome.alerts_received = len(receiver.alert_keys)
    outcome.alerts_lost = len({str(a) for a in sent_at} - set(receiver.alert_keys))
    outcome.alerts_doubled = sum(1 for keys in receiver.alert_keys.values() if len(keys) > 1)
    outcome.repeats = sum(n - 1 for n in receiver.keys.values())
    outcome.unsigned = receiver.unsigned
    outcome.alert_seconds = sorted(
        receiver.first_seen[str(a)] - at.timestamp()
        for a, at in sent_at.items()
        if str(a) in receiver.first_seen
    )
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


def _wait_for_alerts(engine: Any, limit: float = 300.0) -> None:
    """Until every alert is in a delivered delivery (the worker runs every second)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with Session(engine) as session:
            waiting = session.exec(
                select(func.count())
                .select_from(Alert)
                .outerjoin(AlertDelivery, col(AlertDelivery.id) == col(Alert.delivery_id))
                .where((col(Alert.delivery_id).is_(None)) | (AlertDelivery.status != "delivered"))
            ).one()
        if waiting == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"alerts still undelivered after {limit:.0f} s")


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
    parser.add_argument("--alert-interval", type=int, default=15,
                        help="seconds between alert runs (default setup: 15)")  # fmt: skip
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = prepared(args.postgres, "sipas_bench_faults")
    outcome = run(url, args.requests, args.clients, args.kills, alert_interval=args.alert_interval)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}: {args.requests:,} submissions from {args.clients} clients, "
          f"{outcome.restarts} SIGKILL restarts, {outcome.seconds:.0f} s "
          f"({len(outcome.acknowledged) / outcome.seconds:,.0f}/s), {outcome.retries:,} retries; "
          f"acknowledged {len(outcome.acknowledged):,}, stored {outcome.stored:,}, "
          f"missing {outcome.missing}, lost or doubled {outcome.lost_or_doubled}")  # fmt: skip
    waits = outcome.alert_seconds
    print(f"alerts: {outcome.alerts_expected:,} raised, {outcome.alerts_received:,} received, "
          f"lost {outcome.alerts_lost}, doubled {outcome.alerts_doubled}, "
          f"repeats dropped by key {outcome.repeats}, unsigned {outcome.unsigned}; "
          f"response → receiver median {waits[len(waits) // 2]:.1f} s, "
          f"max {waits[-1]:.1f} s" if waits else "alerts: none raised")  # fmt: skip


if __name__ == "__main__":
    main()

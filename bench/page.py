"""The citizen's page: bytes on the wire and server time, against a real `sipas serve`.

    python -m bench.page [--requests 1000]

Goals (issue 3): HTML + CSS + JS ≤ 30 KB transferred compressed; no third-party
requests; server time p50 ≤ 5 ms. The time is measured by the client over loopback with
a kept-alive connection, so it includes the client's own share and is an upper bound.
"""

import argparse
import re
import statistics
import time

import httpx
from sqlmodel import Session, select

from app.db import create_db_engine
from app.models import Counter, Unit
from bench.common import OUT, seeded_sqlite, sipas_env, sipas_server

SLUG = "bench-page"


def add_counter(url: str) -> None:
    engine = create_db_engine(url)
    with Session(engine) as session:
        unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
        assert unit_id is not None
        session.add(Counter(unit_id=unit_id, code="B1", name="Quầy 1", slug=SLUG))
        session.commit()
    engine.dispose()


def transfer(http: httpx.Client, path: str) -> tuple[int, int]:
    """(bytes transferred, bytes after decompression) for one GET."""
    with http.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        response.raise_for_status()
        body = response.read()
        return response.num_bytes_downloaded, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = seeded_sqlite(OUT / "page-bench.db")
    add_counter(url)
    with sipas_server(sipas_env(url, OUT)) as base, httpx.Client(base_url=base) as http:
        for start in (f"/s/{SLUG}", f"/s/{SLUG}?kiosk=1"):  # the phone's page, the kiosk's
            page = http.get(start).text
            assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
            foreign = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', page)
            total_wire = total_plain = 0
            for path in [start, *assets]:
                wire, plain = transfer(http, path)
                total_wire += wire
                total_plain += plain
                print(f"{path}: {wire:,} bytes transferred ({plain:,} uncompressed)")
            print(f"{start} total: {total_wire / 1024:.1f} KB transferred, compressed "
                  f"({total_plain / 1024:.1f} KB uncompressed); goal ≤ 30 KB")  # fmt: skip
            print(f"third-party requests: {len(foreign)}")
        for _ in range(50):  # warm-up
            http.get(f"/s/{SLUG}")
        server, client = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = http.get(f"/s/{SLUG}", headers={"Accept-Encoding": "gzip"})
            response.raise_for_status()
            client.append((time.perf_counter() - started) * 1000)
            server.append(float(response.headers["server-timing"].partition("dur=")[2]))
        for label, times in (("server (Server-Timing)", server), ("client round trip", client)):
            times.sort()
            p99 = times[int(len(times) * 0.99) - 1]
            print(f"GET /s/{{slug}}, {label}, {args.requests} requests: "
                  f"p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms")  # fmt: skip
        print("goal: server time p50 ≤ 5 ms")


if __name__ == "__main__":
    main()

"""Time from `sipas serve` to a healthy /healthz, on a migrated and seeded SQLite database.

    python -m bench.serve_startup [--runs 5]

Goal (issue 2): ≤ 3 s.
"""

import argparse
import statistics
import subprocess
import time

import httpx

from bench.common import OUT, SIPAS, free_port, seeded_sqlite, sipas_env


def time_to_healthy(env: dict[str, str], migrate: bool) -> float:
    port = free_port()
    command = [SIPAS, "serve", "--port", str(port)] + ([] if migrate else ["--no-migrate"])
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 30:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.02)
        raise RuntimeError("the server did not become healthy within 30 s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    env = sipas_env(seeded_sqlite(OUT / "serve-bench.db"), OUT)
    for migrate in (False, True):
        times = [time_to_healthy(env, migrate) for _ in range(args.runs)]
        label = "with migration check" if migrate else "--no-migrate"
        print(
            f"sipas serve ({label}): start to healthy median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s over {args.runs} runs"
        )


if __name__ == "__main__":
    main()

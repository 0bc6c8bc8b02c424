"""Wall time of `sipas` commands on a seeded SQLite database: the start-up an operator
waits for (Python, the libraries a command loads, its work).

    python -m bench.cli_startup [--runs 5]

Goal (issue 15): every command that does not touch statsmodels or matplotlib ≤ 1 s.
"""

import argparse
import statistics
import subprocess
import time

from bench.common import OUT, SIPAS, seeded_sqlite, sipas_env

COMMANDS = (
    ["--help"],
    ["apikey", "list"],
    ["user", "list"],
    ["alerts", "run"],
    ["analytics", "tally"],
    ["analytics", "satisfaction", "--from", "2026-10-01", "--to", "2026-10-31"],
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    env = sipas_env(seeded_sqlite(OUT / "sipas_bench_cli.db"), OUT)
    for command in COMMANDS:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([SIPAS, *command], env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        print(f"sipas {' '.join(command)}: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s ({args.runs} runs)")  # fmt: skip


if __name__ == "__main__":
    main()

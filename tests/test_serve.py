"""`sipas serve` as an administrator starts it, with the README's next commands typed at
once: every writer waits its turn for the database, and a taken port is one clear line."""

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.clock import SystemClock
from app.months import Month
from bench.common import SIPAS, free_port
from tests.factories import response_row, write_csv

pytestmark = pytest.mark.load

# The server below runs on the machine's clock (under faketime in CI's shifted runs).
ZONE_NAME = "Asia/Ho_Chi_Minh"


def _environment(database_url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SIPAS_DATABASE_URL=database_url,
        SIPAS_SECRET_KEY_FILE=str(workdir / "secret"),
        SIPAS_REPORT_SCHEDULER="true",
        SIPAS_TIMEZONE=ZONE_NAME,
    )
    return env


def sipas(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SIPAS, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def demo_env(scratch_database_url: str, tmp_path: Path) -> dict[str, str]:
    env = _environment(scratch_database_url, tmp_path)
    seeded = sipas(env, "seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr
    return env


@contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[tuple[str, "subprocess.Popen[bytes]"]]:
    """``sipas serve`` answering, its output in ``log``; its base URL and process, stopped
    (SIGTERM) at the end if it still runs."""
    port = free_port()
    with log.open("a") as sink:
        server = subprocess.Popen(
            [SIPAS, "serve", "--no-migrate", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            yield base, server
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture
def serving(demo_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``sipas serve`` on the demo, answering; its base URL and its log file."""
    log = tmp_path / "serve.log"
    with served(demo_env, log) as (base, _):
        yield base, log


def _wait_for(log: Path, line: str) -> None:
    deadline = time.monotonic() + 120
    while line not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def _files(workdir: Path) -> dict[str, Path]:
    return {
        "units": write_csv(
            workdir / "units.csv",
            [{"code": "TEST01", "name": "Đơn vị thử", "level": "ward", "parent_code": "31"}],
        ),
        "counters": write_csv(
            workdir / "counters.csv", [{"unit_code": "10507", "code": "Q9", "name": "Quầy số 9"}]
        ),
        "procedures": write_csv(
            workdir / "procedures.csv",
            [{"code": "9.999999", "name": "Thủ tục thử", "sector": "land", "unit_level": "ward"}],
        ),
        "volumes": write_csv(
            workdir / "volumes.csv",
            [{"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": "120"}],
        ),
        "responses": write_csv(workdir / "responses.csv", [response_row(), response_row()]),
    }


def test_every_writing_command_succeeds_while_serve_does_its_start_up_work(
    serving: tuple[str, Path], demo_env: dict[str, str], tmp_path: Path
) -> None:
    _, log = serving
    last_month = Month.of(SystemClock().now().date()).previous()
    commands = [
        ["db", "upgrade"],
        ["seed"],
        ["apikey", "create", "--role", "admin"],
        *(["import", kind, str(path)] for kind, path in _files(tmp_path).items()),
        ["analytics", "tally", "--month", str(last_month.previous()), "--rebuild"],
        ["report", "generate", "--month", str(last_month)],
        ["report", "run-due"],
    ]
    start_up_done = "scheduled run finished" in log.read_text()
    running = [
        subprocess.Popen([SIPAS, *command], env=demo_env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for command in commands
    ]  # fmt: skip
    finished: dict[str, tuple[tuple[str, str], int]] = {}
    try:
        for command, process in zip(commands, running, strict=True):
            finished[" ".join(command[:2])] = (process.communicate(timeout=180), process.returncode)
    finally:
        for process in running:
            process.kill()
            process.wait()
    for name, ((_, err), returncode) in finished.items():
        assert returncode == 0, (name, err)
        assert "Traceback" not in err, (name, err)
    prefix = finished["apikey create"][0][0].split("_")[1]
    revoked = sipas(demo_env, "apikey", "revoke", prefix)
    assert revoked.returncode == 0, revoked.stderr
    assert not start_up_done, "the commands came after the start-up work, not during it"
    _wait_for(log, "scheduled run finished")
    assert "Traceback" not in log.read_text()


def test_a_stopped_server_ends_its_scheduled_run_and_the_next_start_takes_it_up(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    """The catch-up runs in a process of its own, which must not outlive the server."""
    log = tmp_path / "serve.log"
    with served(demo_env, log) as (_, server):
        _wait_for(log, "tallied ")  # the catch-up's process is at work
        server.terminate()
        server.wait(timeout=30)
    stopped = log.read_text()
    time.sleep(3)
    assert log.read_text() == stopped  # nothing more from an orphaned run
    assert "scheduled run finished" not in stopped
    with served(demo_env, log):
        _wait_for(log, "scheduled run finished")
    finished = log.read_text()
    made = re.search(r"scheduled run finished: (\d+) report", finished)
    assert made is not None
    # Every report due was made by the second start (how many depends on the day).
    assert int(made.group(1)) == finished.count("version 1 done") > 0
    assert "Traceback" not in finished


def test_a_taken_port_is_one_line_naming_it(scratch_database_url: str, tmp_path: Path) -> None:
    env = _environment(scratch_database_url, tmp_path)
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        started = sipas(env, "serve", "--port", str(port))
    assert started.returncode == 1
    assert started.stdout == ""
    assert started.stderr == f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"


def test_a_database_it_cannot_open_is_one_line(tmp_path: Path) -> None:
    env = _environment(f"sqlite:///{tmp_path}/no/such/folder/sipas.db", tmp_path)
    listed = sipas(env, "apikey", "list")
    assert listed.returncode == 1
    assert listed.stderr.count("\n") == 1
    assert listed.stderr.startswith("error: the database cannot be used: unable to open")

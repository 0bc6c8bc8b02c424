"""Helpers shared by the benchmarks: scratch databases and the environment to run `sipas`."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import create_db_engine
from app.migrate import upgrade
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog

SIPAS = str(Path(sys.executable).with_name("sipas"))
OUT = Path(__file__).resolve().parent / "out"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(command: list[str], env: dict[str, str], port: int, path: str) -> Iterator[str]:
    """Run a server until ``path`` answers 200; yields its base URL, stops it after."""
    with running_process(command, env, port, path) as (base, _):
        yield base


@contextmanager
def running_process(
    command: list[str], env: dict[str, str], port: int, path: str, log: Path | None = None
) -> Iterator[tuple[str, int]]:
    """``running``, yielding the process id too (to read its CPU time); its output goes
    to ``log`` if given."""
    output = log.open("wb") if log else subprocess.DEVNULL
    # A session of its own: stopping it stops a wrapper's children too (strace's server).
    server = subprocess.Popen(
        command,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + path, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer within 30 s")
            time.sleep(0.05)
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        if log:
            output.close()  # type: ignore[union-attr]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        pending.extend(int(child) for child in children)
    return total_kb / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process and its running children (the server's writer
    process) have used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in tasks.read_text().split():
            with suppress(FileNotFoundError):  # it ended since
                used += cpu_seconds(int(child))
    return used


@contextmanager
def sipas_server(env: dict[str, str], slow_fsync_ms: float = 0) -> Iterator[str]:
    """``sipas serve`` on a free port, as deployed (one worker, no reload).

    ``slow_fsync_ms`` plays a slower disk: strace delays every fsync and fdatasync of the
    server by that much (this machine's SSD syncs in about 0.2 ms; a cloud volume or a
    spinning disk takes 2–10 ms).
    """
    port = free_port()
    command = [SIPAS, "serve", "--no-migrate", "--port", str(port)]
    if slow_fsync_ms:
        delay = f"delay_exit={round(slow_fsync_ms * 1000)}"
        command = ["strace", "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null",
                   "-e", "trace=fsync,fdatasync", "-e", f"inject=fsync,fdatasync:{delay}",
                   *command]  # fmt: skip
    with running(command, env, port, "/healthz") as url:
        yield url


def seeded_sqlite(path: Path) -> str:
    """A migrated SQLite database with the reference data; its URL."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    seed(url)
    return url


def seeded_postgres(server_url: str, name: str) -> str:
    """A new PostgreSQL database ``name`` (dropped first) with the reference data."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    seed(url)
    return url


def seeded(postgres: str | None, name: str) -> str:
    """A new database called ``name`` with the reference data: on the PostgreSQL server
    ``postgres`` when given, else a SQLite file in ``OUT``; its URL."""
    OUT.mkdir(exist_ok=True)
    return seeded_postgres(postgres, name) if postgres else seeded_sqlite(OUT / f"{name}.db")


def seed(url: str) -> None:
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        seed_reference(session, FormCatalog.from_directory())
    engine.dispose()


def sipas_env(url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SIPAS_DATABASE_URL"] = url
    env["SIPAS_SECRET_KEY_FILE"] = str(workdir / "secret")
    # Load comes from one address here; in production a proxy in front sees many.
    env["SIPAS_RATE_LIMIT_PER_MINUTE"] = "0"
    env["SIPAS_REPORT_SCHEDULER"] = "false"
    return env

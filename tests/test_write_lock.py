"""The write lock of a SQLite database (``app.write_lock``): one writer at a time on the
whole machine, this process's threads and other processes queueing alike."""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import create_db_engine, writing
from app.write_lock import SUFFIX

# Takes the lock, says so, and holds it until its input closes.
HOLDER = """
import fcntl, sys
lock = open(sys.argv[1], "ab")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'sipas.db'}")
    with Session(engine) as session, writing(session):
        session.execute(text("CREATE TABLE note (body TEXT)"))
    yield engine
    engine.dispose()


def test_no_other_process_takes_the_lock_while_a_writer_holds_it(
    engine: Engine, tmp_path: Path
) -> None:
    lock = tmp_path / f"sipas.db{SUFFIX}"
    with Session(engine) as session, writing(session):
        session.execute(text("INSERT INTO note VALUES ('written')"))
        assert not taken_at_once(lock)
    assert taken_at_once(lock)


def test_a_writer_waits_for_the_process_that_holds_the_lock(engine: Engine, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / f"sipas.db{SUFFIX}")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    with holder:
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert holder.stdout.readline() == "held\n"
        written = threading.Event()

        def write() -> None:
            with Session(engine) as session, writing(session):
                session.execute(text("INSERT INTO note VALUES ('after the other process')"))
            written.set()

        writer = threading.Thread(target=write)
        writer.start()
        # A sleep, not a timed wait: under faketime (make test-shifted) a lock's timeout
        # never ends.
        time.sleep(0.5)
        assert not written.is_set()  # queued behind the other process
        holder.stdin.close()
    writer.join()
    assert written.is_set()


def taken_at_once(lock: Path) -> bool:
    """Whether another process gets the lock without waiting."""
    probe = "import fcntl, sys; fcntl.flock(open(sys.argv[1], 'ab'), fcntl.LOCK_EX | fcntl.LOCK_NB)"
    return subprocess.run([sys.executable, "-c", probe, str(lock)]).returncode == 0

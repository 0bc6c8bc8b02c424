"""The server's writer process (``app.writer_process``): submissions are written by a
child of the server's own, which the server restarts when it dies, losing nothing, and
which ends with the server."""

import os
import signal
import time
import uuid
from pathlib import Path

import httpx
from sqlmodel import col, func, select

from app.models import Response
from app.surveys.forms import FormCatalog
from app.writer_process import WriterProcess
from tests.databases import scalar
from tests.submissions.conftest import serving
from tests.submissions.dying_writers import die_the_first_time, fail_unpicklably
from tests.submissions.test_hot_path import body


def test_a_server_writes_submissions_in_a_child_that_it_restarts_and_ends_with_it(
    scratch_database_url: str, tmp_path: Path, catalog: FormCatalog
) -> None:
    sent: list[str] = []
    with serving(scratch_database_url, tmp_path, catalog, rate_limit_per_minute=0) as server:
        writer: WriterProcess = server.app.state.writer
        with httpx.Client(base_url=server.url, timeout=30) as client:

            def submit() -> int:
                answer = client.post("/api/v1/responses", json=body())
                sent.append(answer.json()["id"])
                return answer.status_code

            assert writer.ready(wait=60)
            assert [submit() for _ in range(3)] == [201] * 3
            first = writer.pid()
            assert first is not None
            assert first != os.getpid()
            os.kill(first, signal.SIGKILL)
            # Written by the server itself while its new child starts.
            assert [submit() for _ in range(3)] == [201] * 3
            assert writer.ready(wait=60)
            assert [submit() for _ in range(3)] == [201] * 3
            second = writer.pid()
            assert second not in (None, first)
    assert second is not None
    _wait_for_death(second)  # the server stopped: its child is gone, not orphaned
    stored = select(func.count()).where(col(Response.id).in_([uuid.UUID(s) for s in sent]))
    assert scalar(scratch_database_url, stored) == 9


def test_a_batch_the_child_died_on_is_left_to_the_server_and_a_new_child_started(
    scratch_database_url: str, tmp_path: Path
) -> None:
    writer = WriterProcess(scratch_database_url, "FULL", [die_the_first_time]).start()
    marker = str(tmp_path / "died once")
    try:
        assert writer.ready(wait=60)
        assert writer.write(die_the_first_time, [marker, "b"]) is None
        assert writer.ready(wait=60)
        assert writer.write(die_the_first_time, [marker, "b"]) == [marker, "b"]
    finally:
        writer.close()
    assert writer.write(die_the_first_time, [marker]) is None  # closed: the server writes


def test_an_exception_that_cannot_travel_is_answered_by_its_words(
    scratch_database_url: str,
) -> None:
    writer = WriterProcess(scratch_database_url, "FULL", [fail_unpicklably]).start()
    try:
        assert writer.ready(wait=60)
        (answer,) = writer.write(fail_unpicklably, ["d"]) or [None]
    finally:
        writer.close()
    assert isinstance(answer, RuntimeError)
    assert "Unpicklable: the lock in d" in str(answer)


def _wait_for_death(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} is still alive")

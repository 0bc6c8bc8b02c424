"""Group commit (``app.group_commit``): items that arrive together share one commit and
one writer thread; each is answered with its own result after that commit."""

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import Future

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from app import group_commit
from app.audit import record_action
from app.models import AuditLog

pytestmark = pytest.mark.load


class Refused(Exception):
    pass


def audited(session: Session, numbers: Sequence[int]) -> list[int | Exception]:
    """One audit line per number; an odd number is refused, alone."""
    answers: list[int | Exception] = []
    for number in numbers:
        if number % 2:
            answers.append(Refused(number))
            continue
        record_action(session, "test", "write", "group", str(number))
        answers.append(number)
    return answers


class FirstHeld:
    """Writes as ``audited``, but the batch of item 0 waits until released: what is
    submitted meanwhile queues for the next batch."""

    def __init__(self) -> None:
        self.writing, self.released = threading.Event(), threading.Event()

    def __call__(self, session: Session, numbers: Sequence[int]) -> list[int | Exception]:
        if numbers == [0]:
            self.writing.set()
            assert self.released.wait(timeout=10)
        return audited(session, numbers)


def stored_lines(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity == "group")
        ).one()


def test_items_that_queue_during_a_commit_share_the_next(seeded_scratch: Engine) -> None:
    commits: list[int] = []
    event.listen(seeded_scratch, "commit", lambda connection: commits.append(1))
    held = FirstHeld()
    with Session(seeded_scratch) as session:
        first = group_commit.submit(session, held, 0)
        assert held.writing.wait(timeout=10)
        queued = [group_commit.submit(session, held, 2 * n) for n in range(1, 11)]
        held.released.set()
        assert [future.result(timeout=10) for future in [first, *queued]] == list(range(0, 22, 2))
    assert len(commits) == 2  # the first alone, then the ten that queued behind it
    assert stored_lines(seeded_scratch) == 11


def test_an_item_refused_alone_leaves_the_others_of_its_batch_stored(
    seeded_scratch: Engine,
) -> None:
    with Session(seeded_scratch) as session:
        futures = [group_commit.submit(session, audited, n) for n in (2, 3, 4)]
        assert futures[0].result(timeout=10) == 2
        with pytest.raises(Refused):
            futures[1].result(timeout=10)
        assert futures[2].result(timeout=10) == 4
    assert stored_lines(seeded_scratch) == 2


def test_a_batch_that_fails_answers_every_item_with_its_error_and_stores_nothing(
    seeded_scratch: Engine,
) -> None:
    def broken(session: Session, numbers: Sequence[int]) -> list[int | Exception]:
        audited(session, numbers)
        raise RuntimeError("the disk is full")

    with Session(seeded_scratch) as session:
        futures = [group_commit.submit(session, broken, n) for n in (2, 4)]
        for future in futures:
            with pytest.raises(RuntimeError, match="the disk is full"):
                future.result(timeout=10)
    assert stored_lines(seeded_scratch) == 0
    # The writer goes on after a failed batch.
    with Session(seeded_scratch) as session:
        assert group_commit.submit(session, audited, 6).result(timeout=10) == 6


def test_an_item_whose_requester_left_before_its_batch_is_not_written(
    seeded_scratch: Engine,
) -> None:
    held = FirstHeld()
    with Session(seeded_scratch) as session:
        first = group_commit.submit(session, held, 0)
        assert held.writing.wait(timeout=10)
        left: Future[int] = group_commit.submit(session, held, 2)
        assert left.cancel()
        held.released.set()
        assert first.result(timeout=10) == 0
        assert group_commit.submit(session, held, 4).result(timeout=10) == 4
    assert stored_lines(seeded_scratch) == 2


def test_coroutines_are_answered_on_their_loop_after_the_commit_of_their_batch(
    seeded_scratch: Engine,
) -> None:
    commits: list[int] = []
    event.listen(seeded_scratch, "commit", lambda connection: commits.append(1))
    held = FirstHeld()

    async def submitted() -> list[object]:
        first = asyncio.ensure_future(group_commit.store(seeded_scratch, held, 0))
        assert await asyncio.to_thread(held.writing.wait, 10)
        queued = [asyncio.ensure_future(group_commit.store(seeded_scratch, held, n))
                  for n in (2, 3, 4, 6)]  # fmt: skip
        await asyncio.sleep(0)  # each queued, waiting on its future
        queued[-1].cancel()  # its requester left before its batch began
        held.released.set()
        return await asyncio.gather(first, *queued, return_exceptions=True)

    first, two, three, four, six = asyncio.run(submitted())
    assert (first, two, four) == (0, 2, 4)
    assert isinstance(three, Refused)
    assert isinstance(six, asyncio.CancelledError)
    assert len(commits) == 2
    assert stored_lines(seeded_scratch) == 3

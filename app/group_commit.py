"""Group commit: one writer thread stores what concurrent requests bring, a batch per
transaction, and answers each only after its batch has committed.

A request hands over its item and waits on a future (a coroutine awaits it on its event
loop, without a thread of its own). The writer takes everything queued, writes it in one
``writing`` transaction (the database's write lock, taken as every writer takes it) and
commits once: one fsync, one lock hand-over and one transaction serve a burst of requests
instead of each paying its own, and only two threads (the event loop and the writer) take
turns on the GIL instead of a thread per request. While a batch commits, the next one
queues.

A batch is written by a function of the items' kind, which returns one result per item:
a value, or the exception that item alone raises (its writes undone by the function). An
exception out of the function itself, or out of the commit, is every item's answer.

A database may have its batches written elsewhere (``write_elsewhere``: the server's
writer process), and here whenever that cannot write; a session bound to a connection is
always written in, here.
"""

import asyncio
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from app.db import writing

Item = TypeVar("Item")
Result = TypeVar("Result")
BatchWriter = Callable[[Session, Sequence[Item]], Sequence[Result | Exception]]
# Enough to share a commit among every connection a server keeps open, few enough that a
# batch's transaction stays short.
MAX_BATCH = 256


@dataclass(frozen=True, eq=False)
class _Job:
    write: BatchWriter[Any, Any]
    item: object
    bind: Engine | Connection
    session: Session | None  # the caller's, when it is bound to a connection
    future: "Future[Any] | asyncio.Future[Any]"
    loop: asyncio.AbstractEventLoop | None  # an asyncio future's, answered on it

    def wanted(self) -> bool:
        """Still awaited (not cancelled); a thread's future can no longer be cancelled."""
        if self.loop is None:
            return bool(self.future.set_running_or_notify_cancel())  # type: ignore[union-attr]
        return not self.future.cancelled()


class Elsewhere(Protocol):
    def write(self, write: BatchWriter[Any, Any], items: Sequence[Any]) -> Sequence[Any] | None:
        """What ``write`` returns for ``items``, written and committed; None when they
        are to be written here instead (whatever of them was committed elsewhere is found
        by the write's conflicts)."""
        ...


_queue: "SimpleQueue[_Job]" = SimpleQueue()
_elsewhere: "weakref.WeakKeyDictionary[Engine, Elsewhere]" = weakref.WeakKeyDictionary()
_writer: threading.Thread | None = None
_writer_guard = threading.Lock()


def write_elsewhere(engine: Engine, writer: Elsewhere | None) -> None:
    """Have ``writer`` write the batches of ``engine``'s database from now on (None: this
    process again)."""
    if writer is None:
        _elsewhere.pop(engine, None)
    else:
        _elsewhere[engine] = writer


def submit(
    target: Session | Engine, write: BatchWriter[Item, Result], item: Item
) -> "Future[Result]":
    """Queue ``item`` to be written by ``write`` with whatever else is queued on the same
    database; the future holds its result once the batch has committed.

    An engine, or a session on one, only names the database: the writer works in a
    session of its own, so a request that stops waiting leaves it nothing half-used. A
    session bound to a connection (the tests' transaction) is written in as it is, its
    caller waiting.
    """
    future: Future[Result] = Future()
    _enqueue(target, write, item, future, None)
    return future


async def store(target: Session | Engine, write: BatchWriter[Item, Result], item: Item) -> Result:
    """``submit`` for a coroutine, which awaits the result on its event loop: a batch's
    items waiting on one loop are all answered by one call into it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Result] = loop.create_future()
    _enqueue(target, write, item, future, loop)
    return await future


def _enqueue(
    target: Session | Engine,
    write: BatchWriter[Any, Any],
    item: object,
    future: "Future[Any] | asyncio.Future[Any]",
    loop: asyncio.AbstractEventLoop | None,
) -> None:
    if isinstance(target, Engine):
        bind: Engine | Connection = target
        session = None
    else:
        if target.in_transaction():
            # End the caller's read: after the commit it must see what the batch stored.
            target.commit()
        bind = target.get_bind()
        session = None if isinstance(bind, Engine) else target
    _queue.put(_Job(write, item, bind, session, future, loop))
    if _writer is None or not _writer.is_alive():
        _start_writer()


def _start_writer() -> None:
    global _writer
    with _writer_guard:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(
                target=_write_forever, name="sipas-group-commit", daemon=True
            )
            _writer.start()


def _write_forever() -> None:
    while True:
        jobs = [_queue.get()]
        while len(jobs) < MAX_BATCH and not _queue.empty():
            jobs.append(_queue.get())
        batches: dict[tuple[int, int], list[_Job]] = {}
        for job in jobs:
            batches.setdefault((id(job.bind), id(job.write)), []).append(job)
        for batch in batches.values():
            _write_batch(batch)


def _write_batch(jobs: list[_Job]) -> None:
    # A request that stopped waiting (its client left) before its batch began is dropped.
    live = [job for job in jobs if job.wanted()]
    if not live:
        return
    try:
        results = _write(live[0], [job.item for job in live])
    except BaseException as problem:  # the writer outlives every batch; no item is left unanswered
        _answer(live, [problem] * len(live))
    else:
        _answer(live, list(results))


def _write(first: _Job, items: list[object]) -> Sequence[object]:
    """The batch's results, committed (``first`` tells where and how)."""
    if first.session is not None:  # the caller's, bound to a connection
        with writing(first.session):
            return first.write(first.session, items)
    assert isinstance(first.bind, Engine)  # without a session of its own, an engine
    elsewhere = _elsewhere.get(first.bind)
    if elsewhere is not None:
        results = elsewhere.write(first.write, items)
        if results is not None:
            return results
    return write_now(first.bind, first.write, items)


def write_now(
    engine: Engine, write: BatchWriter[Item, Result], items: Sequence[Item]
) -> Sequence[Result | Exception]:
    """``items`` written by ``write`` in one transaction of a session of its own, in this
    thread (the group commit's, or the writer process's)."""
    with Session(engine) as session, writing(session):
        return write(session, items)


def _answer(jobs: list[_Job], outcomes: Sequence[object]) -> None:
    on_loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], object]]] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if job.loop is None:
            _settle(job.future, outcome)
        else:
            on_loops.setdefault(job.loop, []).append((job.future, outcome))  # type: ignore[arg-type]
    for loop, settled in on_loops.items():
        with suppress(RuntimeError):  # the loop has closed: no one waits there any more
            loop.call_soon_threadsafe(_settle_all, settled)


def _settle_all(settled: list[tuple["asyncio.Future[Any]", object]]) -> None:
    for future, outcome in settled:
        _settle(future, outcome)


def _settle(future: "Future[Any] | asyncio.Future[Any]", outcome: object) -> None:
    if future.done():  # cancelled while its batch was written
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)

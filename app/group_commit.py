"""Group commit: one writer thread stores what concurrent requests bring, a batch per
transaction, and answers each only after its batch has committed.

A request hands over its item and waits on a future (an ``async`` route awaits it without
a thread of its own). The writer takes everything queued, writes it in one ``writing``
transaction (the database's write lock, taken as every writer takes it) and commits once:
one fsync, one lock hand-over and one transaction serve a burst of requests instead of
each paying its own, and only two threads (the event loop and the writer) take turns on
the GIL instead of a thread per request. While a batch commits, the next one queues.

A batch is written by a function of the items' kind, which returns one result per item:
a value, or the exception that item alone raises (its writes undone by the function). An
exception out of the function itself, or out of the commit, is every item's answer.
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, TypeVar

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
    future: "Future[Any]"


_queue: "SimpleQueue[_Job]" = SimpleQueue()
_writer: threading.Thread | None = None
_writer_guard = threading.Lock()


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
    if isinstance(target, Engine):
        bind: Engine | Connection = target
        session = None
    else:
        if target.in_transaction():
            # End the caller's read: after the commit it must see what the batch stored.
            target.commit()
        bind = target.get_bind()
        session = None if isinstance(bind, Engine) else target
    future: Future[Result] = Future()
    _queue.put(_Job(write, item, bind, session, future))
    _ensure_writer()
    return future


def _ensure_writer() -> None:
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
    live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
    if not live:
        return
    first = live[0]
    try:
        own = Session(first.bind) if first.session is None else None
        session = own if own is not None else first.session
        assert session is not None  # a connection comes with its session
        try:
            with writing(session):
                results = first.write(session, [job.item for job in live])
        finally:
            if own is not None:
                own.close()
        for job, result in zip(live, results, strict=True):
            if isinstance(result, Exception):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)
    except BaseException as problem:  # the writer outlives every batch; no item is left unanswered
        for job in live:
            if not job.future.done():
                job.future.set_exception(problem)

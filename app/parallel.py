"""Checking a large file on every core while this process writes what was checked.

Items (chunks of a file) go to worker processes and their results come back in the
items' order, with a bounded number in flight: memory stays constant whatever the file's
size, and the result is the same as with one process.
"""

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Chunks queued per worker: enough that none waits for the next while this process
# writes, few enough that memory stays small.
_AHEAD = 2


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def ordered_map(
    work: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    workers: int,
    setup: Callable[..., None],
    setup_args: tuple[Any, ...],
) -> Iterator[Result]:
    """``work(item)`` for each item, in order, on ``workers`` processes (in this one when
    fewer than two). ``setup(*setup_args)`` first runs once in each process that works:
    it gives ``work`` what every item is checked against."""
    if workers < 2:
        setup(*setup_args)
        yield from map(work, items)
        return
    # Spawned, not forked: the caller may hold database connections and threads, which a
    # forked child would inherit half-copied.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=setup, initargs=setup_args)
    try:
        pending: deque[Future[Result]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) >= _AHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

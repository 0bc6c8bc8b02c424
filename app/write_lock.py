"""The write lock of a SQLite database, taken by every writer on the machine in turn.

SQLite admits one writer at a time, and one that finds the database locked waits in its
busy handler, which sleeps in growing steps (up to 100 ms) between tries: under load such
a writer misses moment after moment that the lock is free, while the one that had it takes
it again at once. Writers queue here instead: a process's threads on a lock of its own,
then the processes (the server, its writer process, the CLI, other workers) on an
``flock`` of a file beside the database, which the kernel hands to a waiting process the
moment it is released.
"""

import fcntl
import threading
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

# Beside the database, as SQLite's own "-wal" and "-shm".
SUFFIX = "-write-lock"


class WriteLock:
    """Held by one writer of the database at a time, in this process and across them."""

    def __init__(self, database: Path) -> None:
        self._threads = threading.Lock()
        self._path = database.absolute().with_name(database.name + SUFFIX)
        self._file: BinaryIO | None = None  # open while held: closing it lets go

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            self._file = self._path.open("ab")
            fcntl.flock(self._file, fcntl.LOCK_EX)  # waits without the interpreter's lock
        except BaseException:
            self._let_go()
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        problem: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._let_go()

    def _let_go(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._threads.release()

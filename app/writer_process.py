"""The group commit's batches written by a process of their own.

A batch's write is Python work (rows built, alert rules matched, SQLAlchemy's statements)
that the group-commit thread did under the server's one GIL, taking turns with the event
loop that parses and answers requests: a server running flat out was paced by that
hand-over while half the machine stood idle. Here the server hands each batch to a child
process over a pipe and waits, without the GIL, for the results; the two processes work on
two cores at once.

The child writes each batch in one ``writing`` transaction, as the thread did, and
answers only after the commit, so a result still means a durable response. Its life
follows the server's: started with it, started again when it dies, and it ends when the
server closes its end of the pipe, or dies. While it starts (a second or two of imports),
or when it died on a batch, the group-commit thread writes the batch itself, under the
same write lock: the first citizens after a start or a crash wait for nobody, and what a
dead child had committed of a batch is found by the insert's conflict, answered as a retry.

Items travel pickled. A form definition, which every response carries, is sent once per
child and referred to by its id and version afterwards.
"""

import importlib
import io
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import Engine

from app.db import create_db_engine
from app.group_commit import BatchWriter, write_now
from app.surveys.forms import SurveyFormDefinition

_FormKey = tuple[str, int]
# Seconds an idle child has to leave once the server closes the pipe (one still starting
# is killed after that).
_EXIT_SECONDS = 1
# What a child sends once it can write.
_READY = b"ready"


class WriterProcess:
    """A child process that writes the group commit's batches for one database."""

    def __init__(
        self, database_url: str, sqlite_synchronous: str, writers: Iterable[BatchWriter[Any, Any]]
    ) -> None:
        """``writers``: the batch writers it will be given, imported before it is ready."""
        self._arguments = (database_url, sqlite_synchronous, tuple(map(_name, writers)))
        self._process: BaseProcess | None = None
        self._pipe: Connection | None = None
        self._ready = False
        self._forms_sent: set[_FormKey] = set()
        # The group-commit thread writes; the server's shutdown closes.
        self._guard = threading.Lock()

    def start(self) -> "WriterProcess":
        with self._guard:
            self._start()
        return self

    def write(self, write: BatchWriter[Any, Any], items: Sequence[Any]) -> Sequence[Any] | None:
        """What ``write`` returns for ``items``, written by the child; None when it cannot
        write them now: it is starting, or it died on them (and is started again)."""
        with self._guard:
            if not self._can_write():
                return None
            assert self._pipe is not None
            try:
                self._pipe.send_bytes(self._dumps((_name(write), items)))
                answer = self._pipe.recv_bytes()
            except (EOFError, OSError):
                self._restart()
                return None
        results: Sequence[Any] = pickle.loads(answer)  # noqa: S301  our own child's
        return results

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the child can write, waiting up to ``wait`` seconds for it."""
        with self._guard:
            return self._can_write(wait)

    def close(self) -> None:
        with self._guard:
            self._stop()

    def pid(self) -> int | None:
        """The child's process id, while it runs."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def _can_write(self, wait: float = 0.0) -> bool:
        if self._process is None:  # closed
            return False
        if not self._process.is_alive():
            self._restart()
        if not self._ready:
            assert self._pipe is not None
            try:
                self._ready = self._pipe.poll(wait) and self._pipe.recv_bytes() == _READY
            except (EOFError, OSError):  # it died starting
                self._restart()
        return self._ready

    def _start(self) -> None:
        # Spawned, not forked: a fork would copy the server's threads' locks mid-use and its
        # listening socket, which a restarted server could then not bind again.
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, *self._arguments), name="sipas-writer", daemon=True
        )
        process.start()
        theirs.close()  # the child's end lives in the child: its death is our EOF
        self._process, self._pipe = process, ours
        self._ready = False
        self._forms_sent = set()

    def _restart(self) -> None:
        self._stop()
        self._start()

    def _stop(self) -> None:
        # Under the guard no batch is in flight: the child is idle, or still starting, or
        # dead; nothing of its work is lost if it is killed.
        if self._pipe is not None:
            self._pipe.close()  # its EOF: an idle child leaves at once
            self._pipe = None
        if self._process is not None:
            self._process.join(_EXIT_SECONDS)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None

    def _dumps(self, message: object) -> bytes:
        buffer = io.BytesIO()
        _FormPickler(buffer, self._forms_sent).dump(message)
        return buffer.getvalue()


class _FormPickler(pickle.Pickler):
    """Pickles a form definition whole the first time, by its key after that."""

    def __init__(self, file: io.BytesIO, sent: set[_FormKey]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sent = sent

    def persistent_id(self, obj: Any) -> tuple[str, _FormKey, bytes | None] | None:
        if not isinstance(obj, SurveyFormDefinition):
            return None
        key = (obj.id, obj.version)
        if key in self.sent:
            return ("form", key, None)
        self.sent.add(key)
        # Pickled apart: inside the reference, this pickler would refer to it again.
        return ("form", key, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


class _FormUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, forms: dict[_FormKey, SurveyFormDefinition]) -> None:
        super().__init__(file)
        self.forms = forms

    def persistent_load(self, pid: Any) -> SurveyFormDefinition:
        _, key, pickled = pid
        if pickled is not None:
            self.forms[key] = pickle.loads(pickled)  # noqa: S301  our own server's
        return self.forms[key]


def _name(write: BatchWriter[Any, Any]) -> str:
    return f"{write.__module__}:{write.__qualname__}"


def _resolve(name: str) -> BatchWriter[Any, Any]:
    module, _, attribute = name.partition(":")
    function: BatchWriter[Any, Any] = getattr(importlib.import_module(module), attribute)
    return function


def _serve(
    pipe: Connection, database_url: str, sqlite_synchronous: str, names: tuple[str, ...]
) -> None:
    """The child: say it is ready, then write each batch that comes and answer with its
    results, until EOF."""
    # Ctrl-C reaches the whole process group: the child finishes its batch and leaves when
    # the server, stopping, closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    writers = {name: _resolve(name) for name in names}
    engine = create_db_engine(database_url, sqlite_synchronous=sqlite_synchronous)
    forms: dict[_FormKey, SurveyFormDefinition] = {}
    try:
        pipe.send_bytes(_READY)
        while True:
            try:
                message = pipe.recv_bytes()
            except (EOFError, ConnectionResetError):  # closed (with "ready" unread, a reset)
                return
            name, items = _FormUnpickler(io.BytesIO(message), forms).load()
            if name not in writers:
                writers[name] = _resolve(name)
            answer = _results(engine, writers[name], items)
            try:
                pipe.send_bytes(answer)
            except OSError:  # the server died while the batch was written; it is stored
                return
    except BrokenPipeError:  # the server died before it was ready
        return
    finally:
        engine.dispose()


def _results(engine: Engine, write: BatchWriter[Any, Any], items: list[Any]) -> bytes:
    try:
        results: list[Any] = list(write_now(engine, write, items))
    except Exception as problem:  # every item's answer, as in the server's own thread
        results = [problem] * len(items)
    try:
        return pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that cannot travel is told by its words (a 500)
        told = [
            RuntimeError(f"{type(r).__name__}: {r}") if isinstance(r, BaseException) else r
            for r in results
        ]
        return pickle.dumps(told, protocol=pickle.HIGHEST_PROTOCOL)

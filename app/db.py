"""Engines, and whether the database answers. Nothing is built at import time."""

import functools
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import Settings
from app.write_lock import WriteLock

# An execution option: the SQLite transaction takes the write lock when it begins.
_SQLITE_BEGIN = "sipas_sqlite_begin"
# Marks a session inside ``writing``: a service that writes, called by another, joins it.
_WRITING = "sipas_writing"
_WRITERS: "weakref.WeakKeyDictionary[Engine, WriteLock]" = weakref.WeakKeyDictionary()
# The server's worker threads (anyio's default limit): each may hold a connection.
SQLITE_POOL_SIZE = 40


def create_db_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    # As many pooled connections as the server's threads may use at once: a connection
    # beyond the pool would be opened (and configured) for one request and closed after.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=SQLITE_POOL_SIZE,
        max_overflow=SQLITE_POOL_SIZE,
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defeats SAVEPOINT and "BEGIN IMMEDIATE";
        # SQLAlchemy's documented recipe hands transaction control back to SQLAlchemy.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_SQLITE_BEGIN, "BEGIN"))

    _WRITERS[engine] = WriteLock(Path(str(parsed.database)))
    return engine


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """Run the block as one short write transaction: committed when it ends, rolled back
    if it raises. Every writer (route, command, background job) writes through here.

    A transaction the session has open for reading is ended first, so that the write lock
    is held for the writes only. On SQLite the transaction begins with ``BEGIN IMMEDIATE``
    under the database's write lock (``app.write_lock``, shared by every process on the
    machine): a transaction that reads and then writes fails at once ("database is
    locked") when another writer holds or took the lock in between,
    whereas ``BEGIN IMMEDIATE`` waits for it (the busy timeout), and queueing on SQLite's
    busy handler starves some writers for seconds under load. Inside another ``writing``
    block of the same session the block joins that transaction.
    """
    if session.info.get(_WRITING):
        yield
        return
    if session.in_transaction():
        session.commit()
    with _WRITERS.get(engine_of(session)) or nullcontext():
        session.info[_WRITING] = True
        try:
            if not session.in_transaction():  # the tests' session stays in their transaction
                session.connection(execution_options={_SQLITE_BEGIN: "BEGIN IMMEDIATE"})
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            del session.info[_WRITING]


@contextmanager
def settings_engine(settings: Settings) -> Iterator[Engine]:
    """The engine of the settings' database, disposed when the block ends."""
    engine = create_db_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        yield engine
    finally:
        engine.dispose()


def engine_of(session: Session) -> Engine:
    """The engine behind ``session``, bound to it or to one of its connections."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


P = ParamSpec("P")
T = TypeVar("T")


def writes(service: Callable[Concatenate[Session, P], T]) -> Callable[Concatenate[Session, P], T]:
    """A service that runs as one ``writing`` transaction of the session it is given first."""

    @functools.wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with writing(session):
            return service(session, *args, **kwargs)

    return run


@contextmanager
def on_one_connection(session: Session) -> Iterator[Session]:
    """``session``'s work on one connection from start to end, across its commits, for
    work that keeps state on the connection (temporary tables). A session already bound
    to a connection (the tests' own transaction) is that already."""
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        yield session
        return
    with bind.connect() as connection, Session(bind=connection) as pinned:
        yield pinned


def database_answers(engine: Engine) -> bool:
    """True when a trivial query succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True

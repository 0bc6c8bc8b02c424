"""Group commit (``app.db.write_together``): works that arrive together share one commit;
each is stored or refused on its own; none returns before its commit."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.audit import record_action
from app.db import _group_of, create_db_engine, write_together
from app.models import AuditLog, Sector

pytestmark = pytest.mark.load

WORKERS = 12


def test_works_that_arrive_together_share_one_commit(scratch_database_url: str) -> None:
    engine = create_db_engine(scratch_database_url)
    commits: list[int] = []
    event.listen(engine, "commit", lambda connection: commits.append(1))
    first_is_writing = threading.Event()

    def work(number: int) -> int:
        def store(session: Session) -> int:
            if number == 0:  # the first batch waits until every other work has queued
                first_is_writing.set()
                deadline = time.monotonic() + 10
                while len(_group_of(engine).pending) < WORKERS - 1:
                    assert time.monotonic() < deadline
                    time.sleep(0.001)
            record_action(session, "test", "write", "group", str(number))
            return number

        if number != 0:
            first_is_writing.wait(timeout=10)
        with Session(engine) as session:
            return write_together(session, store)

    with ThreadPoolExecutor(WORKERS) as pool:
        done = sorted(pool.map(work, range(WORKERS)))
    assert done == list(range(WORKERS))
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(AuditLog)).one()
    assert stored == WORKERS
    assert len(commits) == 2  # the first alone, then the eleven that queued behind it
    engine.dispose()


def test_a_failing_work_is_rolled_back_alone(scratch_database_url: str) -> None:
    engine = create_db_engine(scratch_database_url)

    def good(session: Session) -> str:
        session.add(Sector(code="g1", name_vi="Một", name_en="One"))
        return "stored"

    def duplicate(session: Session) -> str:
        session.add(Sector(code="g1", name_vi="Lại", name_en="Again"))
        session.flush()
        return "never"

    with Session(engine) as session:
        assert write_together(session, good) == "stored"
        with pytest.raises(IntegrityError):
            write_together(session, duplicate)
    with Session(engine) as session:
        assert session.get(Sector, "g1") is not None
        assert session.get(Sector, "g1").name_vi == "Một"  # type: ignore[union-attr]
    engine.dispose()

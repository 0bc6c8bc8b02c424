"""An import runs beside a live server: it checks its file without the write lock and
publishes it in one short transaction, all of the file or none of it."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, func, select

from app.db import create_db_engine
from app.imports.csvfile import CsvSource, ImportRejected
from app.imports.responses import import_responses
from app.models import Response, Volume
from app.surveys.forms import FormCatalog
from tests.conftest import CITY
from tests.factories import response_row, write_csv

pytestmark = pytest.mark.load


STORE_A_VOLUME = (
    "INSERT INTO volume (month, unit_id, sector_code, dossiers) "
    "SELECT :month, id, 'land', 7 FROM unit WHERE code = '10507'"
)


def another_writer_stores_a_volume(url: str, month: str) -> None:
    """What a counter's submission does meanwhile: take the write lock and commit, without
    waiting for it (SQLite: no busy timeout; PostgreSQL: no lock wait)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database), timeout=0, isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(STORE_A_VOLUME, {"month": month})
            db.execute("COMMIT")
        return
    other = create_db_engine(url)
    with other.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '1ms'"))
        connection.execute(text(STORE_A_VOLUME), {"month": month})
    other.dispose()


def test_other_writers_store_while_an_import_checks_its_file(
    seeded_scratch: Engine, scratch_database_url: str, catalog: FormCatalog, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "paper.csv", [response_row() for _ in range(300)])
    written: list[str] = []

    def meanwhile(_read: int, _total: int, _rows: int) -> None:
        month = f"2026-0{len(written) + 1}"
        another_writer_stores_a_volume(scratch_database_url, month)
        written.append(month)

    with Session(seeded_scratch) as session:
        result = import_responses(session, CsvSource.open(path), catalog, CITY, cap=50,
                                  actor="test", progress=meanwhile)  # fmt: skip
    assert (result.inserted, len(written)) == (300, 1)
    with Session(seeded_scratch) as session:
        assert session.exec(select(func.count()).select_from(Response)).one() == 300
        months = session.exec(select(Volume.month).where(Volume.month.in_(written))).all()  # type: ignore[attr-defined]
    assert list(months) == written


def test_a_file_with_one_bad_row_at_its_end_stores_nothing(
    seeded_scratch: Engine, catalog: FormCatalog, tmp_path: Path
) -> None:
    rows = [response_row() for _ in range(2500)] + [response_row(overall="9")]
    path = write_csv(tmp_path / "late-error.csv", rows)
    with Session(seeded_scratch) as session, pytest.raises(ImportRejected) as refused:
        import_responses(session, CsvSource.open(path), catalog, CITY, cap=50, actor="test")
    assert [(e.line, e.field) for e in refused.value.errors] == [(2502, "overall")]
    with Session(seeded_scratch) as session:
        assert session.exec(select(func.count()).select_from(Response)).one() == 0
    # and the next import on the same database starts from empty staging tables
    good = write_csv(tmp_path / "good.csv", [response_row() for _ in range(3)])
    with Session(seeded_scratch) as session:
        assert import_responses(session, CsvSource.open(good), catalog, CITY, cap=50,
                                actor="test").inserted == 3  # fmt: skip

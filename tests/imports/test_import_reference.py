"""Imports of units, counters, procedures and volumes: all or nothing, idempotent."""

from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from app.imports.csvfile import CsvSource, ImportRejected
from app.imports.reference import (
    import_counters,
    import_procedures,
    import_units,
    import_volumes,
)
from app.models import AuditLog, Counter, Procedure, Unit, Volume
from tests.factories import write_csv


def source(path: Path) -> CsvSource:
    return CsvSource.open(path)


def test_units_are_added_then_updated_in_place(session: Session, tmp_path: Path) -> None:
    rows = [
        {
            "code": "CA-HP",
            "name": "Công an thành phố",
            "level": "central_agency",
            "parent_code": "31",
        },
        {"code": "CA-HP-1", "name": "Đội 1", "level": "central_agency", "parent_code": "CA-HP"},
    ]
    first = import_units(session, source(write_csv(tmp_path / "u.csv", rows)), 50, "test")
    assert (first.inserted, first.updated, first.skipped) == (2, 0, 0)
    rows[1]["name"] = "Đội Một"
    again = import_units(session, source(write_csv(tmp_path / "u.csv", rows)), 50, "test")
    assert (again.inserted, again.updated, again.skipped) == (0, 1, 1)
    child = session.exec(select(Unit).where(Unit.code == "CA-HP-1")).one()
    parent = session.exec(select(Unit).where(Unit.code == "CA-HP")).one()
    assert (child.name, child.parent_id) == ("Đội Một", parent.id)


def test_a_bad_units_file_stores_nothing_and_names_each_problem(
    session: Session, tmp_path: Path
) -> None:
    before = session.exec(select(func.count()).select_from(Unit)).one()
    rows = [
        {"code": "OK1", "name": "Đúng", "level": "ward", "parent_code": "31"},
        {"code": "", "name": "Không mã", "level": "ward", "parent_code": "31"},
        {"code": "X2", "name": "", "level": "district", "parent_code": "NOPE"},
    ]
    with pytest.raises(ImportRejected) as caught:
        import_units(session, source(write_csv(tmp_path / "u.csv", rows)), 50, "test")
    problems = [(e.line, e.field) for e in caught.value.errors]
    assert problems == [(3, "code"), (4, "name"), (4, "level"), (4, "parent_code")]
    assert session.exec(select(func.count()).select_from(Unit)).one() == before


def test_error_reports_stop_at_the_cap_but_count_everything(
    session: Session, tmp_path: Path
) -> None:
    rows = [
        {"code": f"B{i}", "name": "x", "level": "nowhere", "parent_code": ""} for i in range(30)
    ]
    with pytest.raises(ImportRejected) as caught:
        import_units(session, source(write_csv(tmp_path / "u.csv", rows)), 10, "test")
    assert len(caught.value.errors) == 10
    assert caught.value.total_errors == 30
    assert "30 error(s) (first 10 shown)" in caught.value.message


def test_counters_get_a_slug_once(session: Session, tmp_path: Path) -> None:
    rows = [{"unit_code": "10507", "code": "K9", "name": "Quầy 9"}]
    import_counters(session, source(write_csv(tmp_path / "c.csv", rows)), 50, "test")
    slug = session.exec(select(Counter.slug).where(Counter.code == "K9")).one()
    again = import_counters(session, source(write_csv(tmp_path / "c.csv", rows)), 50, "test")
    assert (again.inserted, again.skipped) == (0, 1)
    assert session.exec(select(Counter.slug).where(Counter.code == "K9")).one() == slug
    assert len(slug) >= 8


def test_counters_of_unknown_units_are_refused(session: Session, tmp_path: Path) -> None:
    rows = [{"unit_code": "00000", "code": "K1", "name": "Quầy 1"}]
    with pytest.raises(ImportRejected) as caught:
        import_counters(session, source(write_csv(tmp_path / "c.csv", rows)), 50, "test")
    assert caught.value.errors[0].as_dict() == {
        "field": "unit_code",
        "message": "unknown unit '00000'",
        "line": 2,
    }


def test_procedures_need_a_known_sector_and_level(session: Session, tmp_path: Path) -> None:
    rows = [
        {"code": "1.000001", "name": "Thủ tục thử", "sector": "land", "unit_level": "commune"},
        {"code": "1.000002", "name": "Thủ tục thử", "sector": "magic", "unit_level": "planet"},
    ]
    with pytest.raises(ImportRejected) as caught:
        import_procedures(session, source(write_csv(tmp_path / "p.csv", rows)), 50, "test")
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "sector"), (3, "unit_level")]
    assert session.get(Procedure, "1.000001") is None


def test_volumes_are_set_per_cell_and_reimport_changes_only_what_changed(
    session: Session, tmp_path: Path
) -> None:
    rows = [
        {"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": "420"},
        {"month": "2026-10", "unit_code": "10507", "sector": "justice", "dossiers": "310"},
    ]
    first = import_volumes(session, source(write_csv(tmp_path / "v.csv", rows)), 50, "test")
    assert first.inserted == 2
    rows[0]["dossiers"] = "421"
    again = import_volumes(session, source(write_csv(tmp_path / "v.csv", rows)), 50, "test")
    assert (again.inserted, again.updated, again.skipped) == (0, 1, 1)
    dossiers = session.exec(
        select(Volume.dossiers).where(Volume.month == "2026-10", Volume.sector_code == "land")
    ).one()
    assert dossiers == 421


def test_bad_volumes_name_line_and_column(session: Session, tmp_path: Path) -> None:
    rows = [
        {"month": "2026-13", "unit_code": "10507", "sector": "land", "dossiers": "4"},
        {"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": "-4"},
        {"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": "4"},
        {"month": "2026-10", "unit_code": "10507", "sector": "land", "dossiers": "5"},
    ]
    with pytest.raises(ImportRejected) as caught:
        import_volumes(session, source(write_csv(tmp_path / "v.csv", rows)), 50, "test")
    assert [(e.line, e.field) for e in caught.value.errors] == [
        (2, "month"),
        (3, "dossiers"),
        (5, "month"),
    ]


def test_imports_that_change_something_are_audited(session: Session, tmp_path: Path) -> None:
    rows = [{"month": "2026-09", "unit_code": "10525", "sector": "land", "dossiers": "7"}]
    import_volumes(session, source(write_csv(tmp_path / "v.csv", rows)), 50, "someone")
    entry = session.exec(
        select(AuditLog).where(AuditLog.actor == "someone").order_by(col(AuditLog.id).desc())
    ).first()
    assert entry is not None
    assert (entry.action, entry.entity, entry.entity_key) == ("import", "volumes", "v.csv")


def test_an_empty_file_is_an_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportRejected) as caught:
        import_volumes(session, source(path), 50, "test")
    assert caught.value.errors[0].message == "the file is empty"

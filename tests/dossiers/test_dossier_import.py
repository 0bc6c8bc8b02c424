"""Dossiers in the national portal's fields (or a vendor's, through a mapping file):
imported all or nothing, idempotent by dossier, errors by line and field; the code kept
only as a keyed hash, the phone only encrypted and only for its window; the months'
volumes derived from them."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.service import import_dossier_file
from app.imports.csvfile import ImportRejected
from app.models import Dossier, Unit, Volume
from app.phones import phone_box
from app.surveys.links import dossier_hash
from tests.conftest import CITY, TEST_SECRET
from tests.factories import api_key

FIELDS = ("MaHoSo", "MaTTHC", "MaDinhDanh", "KenhThucHien", "NgayTiepNhan", "NgayHenTra",
          "NgayKetThucXuLy", "TrangThaiHoSo", "LoaiDoiTuong", "SoDienThoai",
          "GhiChuNoiBo")  # fmt: skip


@pytest.fixture(autouse=True)
def evening_of_october_8(frozen_clock: FixedClock) -> None:
    """The day's dossiers arrive the evening they were finished."""
    frozen_clock.moment = datetime(2026, 10, 8, 20, 0, tzinfo=CITY).astimezone(UTC)


def dossier(code: str, **changes: str) -> dict[str, str]:
    """A land dossier of ward 10507, received 1 October, finished on time on the 8th."""
    return {
        "MaHoSo": code,
        "MaTTHC": "1.013980.000.00.00.H56",
        "MaDinhDanh": "10507",
        "KenhThucHien": "1",
        "NgayTiepNhan": "20261001083000",
        "NgayHenTra": "20261010170000",
        "NgayKetThucXuLy": "20261008100000",
        "TrangThaiHoSo": "10",
        "LoaiDoiTuong": "1",
        "SoDienThoai": "0912 345 678",
        "GhiChuNoiBo": "a vendor's own column, ignored",
        **changes,
    }


def as_csv(rows: list[dict[str, str]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def load(session: Session, settings: Settings, rows: list[dict[str, str]], **kw: Any) -> Any:
    return import_dossier_file(session, "ngay-2026-10-08.csv", as_csv(rows),
                               kw.get("mapping", load_mapping()), settings, "test")  # fmt: skip


def volume(session: Session, month: str, unit: str, sector: str) -> int | None:
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit)).one()
    found = session.get(Volume, (month, unit_id, sector))
    return None if found is None else found.dossiers


def test_dossiers_are_stored_as_the_frame_and_give_the_months_volumes(
    session: Session, settings: Settings
) -> None:
    rows = [dossier("H56.26.10-261001-0001"), dossier("H56.26.10-261001-0002", SoDienThoai=""),
            dossier("H56.26.10-261001-0003", NgayKetThucXuLy="", TrangThaiHoSo="4")]  # fmt: skip
    result = load(session, settings, rows)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.months == ["2026-10"]
    assert volume(session, "2026-10", "10507", "land") == 2  # the unfinished one is not yet
    stored = session.exec(select(Dossier).order_by(col(Dossier.id))).all()
    assert stored[0].code_hash == dossier_hash(TEST_SECRET, "H56.26.10-261001-0001")
    assert (stored[0].procedure_code, stored[0].sector_code, stored[0].channel) == (
        "1.013980", "land", "counter",
    )  # fmt: skip
    cipher = stored[0].phone_cipher
    assert cipher is not None
    assert b"345678" not in cipher
    assert phone_box(TEST_SECRET).decrypt(cipher) == b"0912345678"
    assert stored[1].phone_cipher is None
    assert stored[2].finished_month is None


def test_a_file_imported_again_changes_nothing_and_a_later_state_updates(
    session: Session, settings: Settings
) -> None:
    rows = [dossier("HS-1", NgayKetThucXuLy="", TrangThaiHoSo="4"), dossier("HS-2")]
    load(session, settings, rows)
    again = load(session, settings, rows)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    finished = load(session, settings, [dossier("HS-1", NgayKetThucXuLy="20261030090000")])
    assert (finished.inserted, finished.updated) == (0, 1)
    assert volume(session, "2026-10", "10507", "land") == 2


def test_the_phone_is_kept_only_for_the_invitation_window(
    session: Session, settings: Settings, frozen_clock: FixedClock
) -> None:
    load(session, settings, [dossier("HS-1")])
    assert session.exec(select(Dossier.phone_cipher)).one() is not None
    frozen_clock.advance(timedelta(days=settings.invitation_window_days + 1))
    load(session, settings, [dossier("HS-2", NgayKetThucXuLy="20261016100000")])
    phones = dict(session.exec(select(Dossier.code_hash, Dossier.phone_cipher)).all())
    assert phones[dossier_hash(TEST_SECRET, "HS-1")] is None  # its window has closed
    assert phones[dossier_hash(TEST_SECRET, "HS-2")] is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"MaDinhDanh": "99999"}, "MaDinhDanh", "unknown unit '99999'"),
        ({"MaTTHC": "9.999999.000.00.00.H56"}, "MaTTHC", "unknown procedure '9.999999'"),
        ({"NgayKetThucXuLy": "20260930100000"}, "NgayKetThucXuLy", "finished before it was"),
        ({"NgayTiepNhan": "2026-10-01"}, "NgayTiepNhan", "not a date and time as %Y%m%d%H%M%S"),
        ({"NgayTiepNhan": "20261301083000"}, "NgayTiepNhan", "not a date and time"),
        ({"KenhThucHien": "7"}, "KenhThucHien", "unknown channel '7'"),
        ({"SoDienThoai": "12345"}, "SoDienThoai", "not a Vietnamese mobile number"),
        ({"TrangThaiHoSo": ""}, "TrangThaiHoSo", "required"),
    ],
)  # fmt: skip
def test_a_bad_dossier_is_named_by_line_and_field_and_nothing_is_stored(
    session: Session, settings: Settings, changes: dict[str, str], field: str, message: str
) -> None:
    rows = [dossier("HS-1"), dossier("HS-2", **changes)]
    with pytest.raises(ImportRejected) as rejected:
        load(session, settings, rows)
    (error,) = rejected.value.errors
    assert (error.line, error.field) == (3, field)
    assert message in error.message
    assert session.exec(select(Dossier)).all() == []


def test_the_same_dossier_twice_with_other_content_is_refused(
    session: Session, settings: Settings
) -> None:
    rows = [dossier("HS-1"), dossier("HS-1"), dossier("HS-1", TrangThaiHoSo="4")]
    with pytest.raises(ImportRejected) as rejected:
        load(session, settings, rows)
    (error,) = rejected.value.errors
    assert (error.line, error.field) == (4, "MaHoSo")
    assert "on line 2 with other content" in error.message


def test_a_vendors_names_through_a_mapping_file(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    national = load_mapping().model_dump()
    national["fields"] = {**national["fields"], "code": "so_ho_so", "unit": "don_vi"}
    national["units"] = {"UBND-TD": "10507"}
    path = tmp_path / "vendor.toml"
    fields = "\n".join(
        f'{key} = {list(value) if isinstance(value, tuple) else repr(value)}'.replace("'", '"')
        for key, value in national["fields"].items()
    )  # fmt: skip
    channels = "\n".join(f'"{k}" = "{v}"' for k, v in national["channels"].items())
    path.write_text(f'name = "vendor"\n[fields]\n{fields}\n[channels]\n{channels}\n'
                    '[units]\n"UBND-TD" = "10507"\n', encoding="utf-8")  # fmt: skip
    row = dossier("X")
    renamed = {"so_ho_so": row.pop("MaHoSo"), "don_vi": "UBND-TD", **row}
    del renamed["MaDinhDanh"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(renamed))
    writer.writeheader()
    writer.writerow(renamed)
    result = import_dossier_file(session, "vendor.csv", io.BytesIO(out.getvalue().encode()),
                                 load_mapping(path), settings, "test")  # fmt: skip
    assert result.inserted == 1


def test_json_over_the_api(client: httpx.Client, session: Session) -> None:
    analyst = api_key(session, "analyst")
    answer = client.post("/api/v1/dossiers", json=[dossier("HS-1"), dossier("HS-2")],
                         headers=analyst)  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"rows": 2, "inserted": 2, "updated": 0, "unchanged": 0,
                             "months": ["2026-10"]}  # fmt: skip
    bad = client.post("/api/v1/dossiers", json=[dossier("HS-3", MaDinhDanh="nowhere")],
                      headers=analyst)  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0] == {
        "field": "MaDinhDanh", "message": "unknown unit 'nowhere'", "line": 1,
    }  # fmt: skip
    assert client.post("/api/v1/dossiers", content=b"[1, 2", headers={
        **analyst, "Content-Type": "application/json"}).status_code == 422  # fmt: skip

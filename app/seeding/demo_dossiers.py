"""The demo's dossier file: one day's finished dossiers of every unit, as the province's
one-stop system would export them (the national portal's fields, app/dossiers/mappings/
national.toml) — made up, and marked so: every row has ``DuLieuMau = 1``, its ``MaHoSo``
starts with ``DEMO-``, and its invitation is sent only to a gateway on this machine (the
sender refuses any other). With it the sample, the invitations and the sampled stream
run end to end on the demo (docs/dossiers.md, "Try it on the demo").
"""

import csv
import json
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.dossiers.records import PORTAL_FORMAT
from app.models import Procedure, Unit
from app.seeding.demo import LOCAL_LEVELS, opening_slots, sector_mix

COLUMNS = (
    "MaHoSo", "MaTTHC", "MaDinhDanh", "KenhThucHien", "NgayTiepNhan", "NgayHenTra",
    "NgayKetThucXuLy", "TrangThaiHoSo", "LoaiDoiTuong", "SoDienThoai", "CoKhieuNai",
    "DanhGiaKhongHaiLong", "DuLieuMau",
)  # fmt: skip
_PROVINCE_SUFFIX = ".000.00.00.H56"  # MaTTHC as Hải Phòng's system writes it
_MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "088", "086", "070")


def demo_dossiers(
    session: Session, day: date, zone: ZoneInfo, seed: int = 2026
) -> list[dict[str, str]]:
    """The day's finished dossiers of every unit with a procedure of its sectors."""
    rng = random.Random(f"{seed}-{day.isoformat()}")  # noqa: S311  # made-up data
    procedures: dict[tuple[bool, str], list[str]] = defaultdict(list)
    for procedure in session.exec(select(Procedure).order_by(col(Procedure.code))):
        local = procedure.unit_level in LOCAL_LEVELS
        procedures[local, procedure.sector_code].append(procedure.code)
    slots = opening_slots(day)
    rows: list[dict[str, str]] = []
    units = session.exec(select(Unit).where(Unit.level != "city").order_by(col(Unit.code)))
    for unit in units:
        local = unit.level in LOCAL_LEVELS
        size = rng.uniform(10, 45)
        for sector, share in sector_mix(unit).items():
            codes = procedures.get((local, sector)) or procedures.get((not local, sector))
            if not codes or not slots:
                continue
            for _ in range(round(size * share * rng.uniform(0.7, 1.3))):
                rows.append(
                    _dossier(rng, unit.code, rng.choice(codes), day, slots, zone, len(rows))
                )
    return rows


def _dossier(
    rng: random.Random,
    unit: str,
    procedure: str,
    day: date,
    slots: list[time],
    zone: ZoneInfo,
    number: int,
) -> dict[str, str]:
    finished = datetime.combine(day, rng.choice(slots), tzinfo=zone) + timedelta(
        minutes=rng.randrange(30)
    )
    received = finished - timedelta(days=rng.randrange(0, 15), minutes=rng.randrange(0, 120))
    late = rng.random() < 0.06
    due = (
        finished - timedelta(days=rng.randrange(1, 4))
        if late
        else finished + timedelta(days=rng.randrange(0, 5))
    )
    due = max(due, received)
    online = rng.random() < 0.3
    return {
        "MaHoSo": f"DEMO-{day:%y%m%d}-{number:06d}",
        "MaTTHC": procedure + _PROVINCE_SUFFIX,
        "MaDinhDanh": unit,
        "KenhThucHien": "2" if online else "1",
        "NgayTiepNhan": received.strftime(PORTAL_FORMAT),
        "NgayHenTra": due.strftime(PORTAL_FORMAT),
        "NgayKetThucXuLy": finished.strftime(PORTAL_FORMAT),
        "TrangThaiHoSo": "DaTraKetQua",
        "LoaiDoiTuong": "DoanhNghiep" if rng.random() < 0.12 else "CongDan",
        "SoDienThoai": rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if rng.random() < 0.85
        else "",
        "CoKhieuNai": "1" if rng.random() < 0.01 else "0",
        "DanhGiaKhongHaiLong": "1" if rng.random() < 0.02 else "0",
        "DuLieuMau": "1",
    }


def write_demo_dossiers(rows: list[dict[str, str]], path: Path) -> None:
    """A CSV file, or JSON when ``path`` ends in ``.json``."""
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"dossiers": rows}, ensure_ascii=False, indent=1), "utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)

"""Hải Phòng's reference data: sectors, units, targets, procedures and forms.

Idempotent: a second run changes nothing. Units and procedures go through the same
importers as ``sipas import``, so the shipped files are held to the same rules.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.db import writes
from app.imports.csvfile import CsvSource
from app.imports.reference import import_procedures, import_units
from app.models import UNKNOWN_SECTOR, Sector, Target
from app.surveys.forms import FormCatalog
from app.surveys.service import register_forms

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"

SECTORS: tuple[tuple[str, str, str], ...] = (
    ("land", "Đất đai", "Land"),
    ("construction", "Xây dựng", "Construction"),
    ("investment", "Đầu tư", "Investment"),
    ("health", "Y tế", "Health"),
    ("education", "Giáo dục", "Education"),
    ("justice", "Tư pháp – hộ tịch", "Justice and civil status"),
    ("labour", "Lao động – thương binh – xã hội", "Labour, invalids and social affairs"),
    ("transport", "Giao thông vận tải", "Transport"),
    ("business", "Đăng ký kinh doanh", "Business registration"),
    ("other", "Khác", "Other"),
    # A citizen at a counter of several sectors may not know which one was theirs; the
    # page asks last, and "not known" is an answer (no volumes, so no weight: §6).
    (UNKNOWN_SECTOR, "Không rõ lĩnh vực", "Sector not known"),
)

# docs/product.md: the plan's indicators, and each sector's own target.
PLAN_TARGETS: tuple[tuple[str, float, int, int], ...] = (
    ("online_service", 0.95, 2026, 2027),
    ("procedure_handling", 0.95, 2028, 2030),
    ("land_construction_investment", 0.90, 2028, 2030),
    ("sipas", 0.95, 2028, 2030),
    ("public_services_health_education", 0.90, 2028, 2030),
)
SECTOR_TARGET_YEARS = (2026, 2030)
_NINETY_PERCENT_SECTORS = frozenset({"land", "construction", "investment", "health", "education"})


def sector_threshold(code: str) -> float:
    return 0.90 if code in _NINETY_PERCENT_SECTORS else 0.95


@dataclass(frozen=True, slots=True)
class SeedSummary:
    sectors: int
    units: int
    procedures: int
    targets: int
    forms: int


@writes
def seed_reference(session: Session, catalog: FormCatalog, cap: int = 50) -> SeedSummary:
    """Load the reference data; returns how many rows each part added."""
    sectors_added = 0
    for code, name_vi, name_en in SECTORS:
        if session.get(Sector, code) is None:
            session.add(Sector(code=code, name_vi=name_vi, name_en=name_en))
            sectors_added += 1

    units_added = 0
    for name in ("haiphong_units.csv", "haiphong_agencies.csv"):
        result = import_units(session, CsvSource.open(REFERENCE_DIR / name), cap, actor="seed")
        units_added += result.inserted
    procedures = import_procedures(
        session, CsvSource.open(REFERENCE_DIR / "procedures.csv"), cap, actor="seed"
    )

    targets_added = _seed_targets(session)
    forms_added = register_forms(session, catalog)
    return SeedSummary(sectors_added, units_added, procedures.inserted, targets_added, forms_added)


def _seed_targets(session: Session) -> int:
    existing = {
        (target.indicator, target.sector_code, target.valid_from_year)
        for target in session.exec(select(Target))
    }
    wanted = [
        Target(indicator=indicator, threshold=threshold, valid_from_year=start, valid_to_year=end)
        for indicator, threshold, start, end in PLAN_TARGETS
    ]
    start, end = SECTOR_TARGET_YEARS
    wanted += [
        Target(
            indicator="sector",
            sector_code=code,
            threshold=sector_threshold(code),
            valid_from_year=start,
            valid_to_year=end,
        )
        for code, _, _ in SECTORS
        if code != UNKNOWN_SECTOR
    ]
    added = 0
    for target in wanted:
        if (target.indicator, target.sector_code, target.valid_from_year) not in existing:
            session.add(target)
            added += 1
    return added

"""`sipas seed`: Hải Phòng's reference data, loaded once, and the demo data."""

from collections import Counter as Tally

from sqlmodel import Session, col, func, select

from app.models import Procedure, Sector, Target, Unit
from app.seeding.reference import seed_reference
from app.surveys.forms import FormCatalog


def test_haiphong_has_the_city_its_agencies_and_114_commune_level_units(session: Session) -> None:
    levels = Tally(session.exec(select(Unit.level)))
    assert levels == {"city": 1, "department": 15, "ward": 45, "commune": 67, "special_zone": 2}
    city = session.exec(select(Unit).where(Unit.code == "31")).one()
    assert city.name == "Thành phố Hải Phòng"
    children = session.exec(select(func.count()).where(Unit.parent_id == city.id)).one()
    assert children == 129


def test_unconfirmed_departments_stay_visible_as_such(session: Session) -> None:
    unconfirmed = set(session.exec(select(Unit.code).where(col(Unit.confirmed).is_(False))))
    assert unconfirmed == {"STP", "SNNMT", "SYT", "SVHTTDL"}


def test_sectors_and_targets_follow_the_plan(session: Session) -> None:
    assert len(session.exec(select(Sector)).all()) == 11  # ten, and "not known"
    targets = {(t.indicator, t.sector_code): t for t in session.exec(select(Target))}
    assert targets[("sipas", None)].threshold == 0.95
    assert targets[("online_service", None)].valid_to_year == 2027
    assert targets[("land_construction_investment", None)].threshold == 0.90
    assert targets[("sector", "land")].threshold == 0.90
    assert targets[("sector", "health")].threshold == 0.90
    assert targets[("sector", "justice")].threshold == 0.95


def test_procedures_carry_national_codes(session: Session) -> None:
    procedure = session.get(Procedure, "1.001193")
    assert procedure is not None
    assert procedure.name == "Thủ tục đăng ký khai sinh"
    assert procedure.sector_code == "justice"


def test_seeding_again_adds_nothing(session: Session, catalog: FormCatalog) -> None:
    summary = seed_reference(session, catalog)
    assert (summary.sectors, summary.units, summary.procedures, summary.targets) == (0, 0, 0, 0)
    assert summary.forms == 0

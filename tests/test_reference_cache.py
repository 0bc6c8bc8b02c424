"""Counters, sectors and procedures are kept per process, and every writer's change is
seen at the next lookup: triggers give the database a new token with each change."""

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app.models import AlertRule, Counter, Unit
from app.reference_cache import reference


def counters(engine: Engine) -> dict[str, int | None]:
    with engine.connect() as connection:
        return {slug: link.counter_id for slug, link in reference(connection).counters.items()}


def add_counter(engine: Engine, slug: str) -> int:
    with Session(engine) as session:
        unit_id = session.exec(select(Unit.id).where(Unit.code == "10507")).one()
        assert unit_id is not None
        counter = Counter(unit_id=unit_id, code=slug, name="Quầy", slug=slug)
        session.add(counter)
        session.commit()
        assert counter.id is not None
        return counter.id


def test_a_counter_added_or_closed_anywhere_is_seen_at_the_next_lookup(
    seeded_scratch: Engine,
) -> None:
    assert counters(seeded_scratch) == {}
    first = add_counter(seeded_scratch, "quay-1")
    assert counters(seeded_scratch) == {"quay-1": first}
    # Another process, plain SQL: no code of ours is told.
    with seeded_scratch.begin() as connection:
        connection.execute(text("UPDATE counter SET active = false WHERE slug = 'quay-1'"))
    assert counters(seeded_scratch) == {}


def test_sectors_and_procedures_changed_by_sql_are_seen(seeded_scratch: Engine) -> None:
    with seeded_scratch.connect() as connection:
        before = reference(connection)
    assert "land" in before.sectors
    with seeded_scratch.begin() as connection:
        connection.execute(text("UPDATE procedure SET sector_code = 'justice' "
                                "WHERE code = (SELECT min(code) FROM procedure)"))  # fmt: skip
        changed = connection.execute(text("SELECT min(code) FROM procedure")).scalar_one()
    with seeded_scratch.connect() as connection:
        after = reference(connection)
    assert after.token != before.token
    assert after.procedures[changed] == "justice"


def test_a_copy_read_inside_a_rolled_back_change_is_never_used_after(
    seeded_scratch: Engine,
) -> None:
    with seeded_scratch.connect() as connection:
        committed = reference(connection).token
    with seeded_scratch.connect() as connection:
        transaction = connection.begin()
        unit_id = connection.execute(text("SELECT id FROM unit WHERE code = '10507'")).scalar()
        connection.execute(
            text("INSERT INTO counter (unit_id, code, name, slug, active, created_at) "
                 "VALUES (:unit, 'X', 'X', 'rolled-back', true, '2026-12-01 00:00:00')"),
            {"unit": unit_id},
        )  # fmt: skip
        assert "rolled-back" in reference(connection).counters
        transaction.rollback()
    with seeded_scratch.connect() as connection:
        assert reference(connection).token == committed
    assert "rolled-back" not in counters(seeded_scratch)


def test_alert_rules_switched_on_or_off_anywhere_are_seen(seeded_scratch: Engine) -> None:
    def active_rules() -> list[str]:
        with seeded_scratch.connect() as connection:
            return [rule.name for rule in reference(connection).alert_rules]

    before = active_rules()
    with Session(seeded_scratch) as session:
        session.add(AlertRule(name="Bất mãn", scope="city", overall_at_most=2, recipient="unit"))
        session.commit()
    assert active_rules() == [*before, "Bất mãn"]
    with seeded_scratch.begin() as connection:
        connection.execute(text("UPDATE alert_rule SET active = false WHERE name = 'Bất mãn'"))
    assert active_rules() == before

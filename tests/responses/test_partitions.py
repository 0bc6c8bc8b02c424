"""On PostgreSQL each month's responses live in a partition of their own (migration 0022),
made before the month's first response; ids and invitations stay unique across months."""

import uuid
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.clock import FixedClock
from app.migrate import alembic_config
from app.responses.partitions import prepare_partitions
from app.responses.records import ResponseRecord
from app.surveys.forms import FormCatalog
from tests.databases import backend
from tests.factories import CITY_ZONE, response_record, store

pytestmark = pytest.mark.skipif(backend() != "postgresql", reason="partitions are PostgreSQL's")


def partitions(engine: Engine) -> dict[str, int]:
    """Each partition of response, with the responses it holds."""
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                 "WHERE i.inhparent = 'response'::regclass ORDER BY c.relname")
        ).scalars()  # fmt: skip
        return {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in names
        }


def stored(engine: Engine, catalog: FormCatalog, *records: ResponseRecord) -> None:
    with Session(engine) as session:
        store(session, records)
        session.commit()


def at(engine: Engine, catalog: FormCatalog, moment: str) -> ResponseRecord:
    with Session(engine) as session:
        return response_record(session, catalog, at=moment, comment="Nhanh gọn")


def test_each_months_responses_land_in_a_partition_made_for_them(
    seeded_scratch: Engine, catalog: FormCatalog
) -> None:
    stored(seeded_scratch, catalog, at(seeded_scratch, catalog, "2026-10-15T10:00:00+07:00"),
           at(seeded_scratch, catalog, "2026-10-31T23:30:00+07:00"))  # fmt: skip
    # Local time decides the month: 1 January in the city is still 31 December in UTC.
    stored(seeded_scratch, catalog, at(seeded_scratch, catalog, "2027-01-01T00:30:00+07:00"))
    assert partitions(seeded_scratch) == {"response_2026_10": 2, "response_2027_01": 1}


def test_an_id_stored_in_one_month_is_refused_in_another(
    seeded_scratch: Engine, catalog: FormCatalog
) -> None:
    first = at(seeded_scratch, catalog, "2026-10-31T16:00:00+07:00")
    stored(seeded_scratch, catalog, first)
    again = at(seeded_scratch, catalog, "2026-11-01T09:00:00+07:00")._replace(id=first.id)
    with pytest.raises(IntegrityError, match="pk_response_key"):
        stored(seeded_scratch, catalog, again)
    assert partitions(seeded_scratch)["response_2026_10"] == 1


def test_a_partition_made_in_a_transaction_that_rolls_back_is_made_again(
    seeded_scratch: Engine, catalog: FormCatalog
) -> None:
    with Session(seeded_scratch) as session:
        store(session, [at(seeded_scratch, catalog, "2028-03-10T10:00:00+07:00")])
        session.rollback()
    assert partitions(seeded_scratch) == {}
    stored(seeded_scratch, catalog, at(seeded_scratch, catalog, "2028-03-11T10:00:00+07:00"))
    assert partitions(seeded_scratch) == {"response_2028_03": 1}


def test_the_schedule_makes_this_and_next_months_partitions_ahead(
    seeded_scratch: Engine, frozen_clock: FixedClock
) -> None:
    frozen_clock.moment = datetime.fromisoformat("2026-12-31T20:00:00+07:00")
    prepare_partitions(seeded_scratch, CITY_ZONE)
    prepare_partitions(seeded_scratch, CITY_ZONE)  # again: nothing more
    assert partitions(seeded_scratch) == {"response_2026_12": 0, "response_2027_01": 0}


def test_upgrading_moves_stored_responses_into_monthly_partitions_and_back(
    seeded_scratch: Engine, catalog: FormCatalog, scratch_database_url: str
) -> None:
    october = at(seeded_scratch, catalog, "2026-10-15T10:00:00+07:00")
    november = at(seeded_scratch, catalog, "2026-11-15T10:00:00+07:00")
    stored(seeded_scratch, catalog, october, november)
    config = alembic_config(scratch_database_url)

    command.downgrade(config, "0021")
    assert partitions(seeded_scratch) == {}
    with seeded_scratch.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM response")).scalar_one() == 2
    command.upgrade(config, "head")

    assert partitions(seeded_scratch) == {"response_2026_10": 1, "response_2026_11": 1}
    # The answers still belong to their responses, and an id is still stored once.
    with seeded_scratch.connect() as connection:
        answers = connection.execute(
            text("SELECT count(DISTINCT response_id) FROM text_answer")
        ).scalar_one()
        assert answers == 2
        with pytest.raises(IntegrityError, match="fk_text_answer_response_id_response"):
            connection.execute(
                text("INSERT INTO text_answer (response_id, question_id, text) "
                     "VALUES (:id, 'comment', 'x')"),
                {"id": uuid.uuid4()},
            )  # fmt: skip

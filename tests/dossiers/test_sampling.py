"""The daily stratified random sample: sized from the precision the city asks for and the
response rates seen, drawn reproducibly from the day's finished dossiers (seed and frame
recorded), never the same person twice within the set period."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, func, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import choose, draw_sample, monthly_answers
from app.dossiers.service import import_dossier_file
from app.models import Invitation, SampleDraw
from tests.conftest import CITY
from tests.dossiers.test_dossier_import import as_csv, dossier

DAY = date(2026, 10, 8)


@pytest.fixture
def evening(frozen_clock: FixedClock) -> FixedClock:
    frozen_clock.moment = datetime(2026, 10, 8, 20, 0, tzinfo=CITY).astimezone(UTC)
    return frozen_clock


def day_of_dossiers(session: Session, settings: Settings, count: int, phone_of=None) -> None:  # type: ignore[no-untyped-def]
    """``count`` land dossiers of ward 10507 finished on the 8th, each with its own phone
    unless ``phone_of(i)`` says otherwise."""
    rows = [
        dossier(f"HS-{i:05d}", SoDienThoai=(phone_of(i) if phone_of else f"09{i:08d}"))
        for i in range(count)
    ]
    import_dossier_file(session, "day.csv", as_csv(rows), load_mapping(), settings, "test")


def test_the_sample_size_follows_the_precision_asked() -> None:
    assert monthly_answers(10**9, 0.03, 0.95) == 385  # 1.96² · 0.9 · 0.1 / 0.03²
    assert monthly_answers(10**9, 0.05, 0.95) == 139
    assert monthly_answers(200, 0.03, 0.95) < 200  # never more than the frame


def test_a_draw_is_reproducible_from_its_seed_and_frame() -> None:
    strata = {(1, "land"): [f"d{i}" for i in range(100)], (2, "land"): [f"e{i}" for i in range(40)]}
    first = choose(strata, {"land": 0.25}, seed=2026)
    assert first == choose(strata, {"land": 0.25}, seed=2026)
    assert first != choose(strata, {"land": 0.25}, seed=2027)
    assert 30 <= len(first) <= 40  # 25 % of 140, stratum by stratum


def test_the_days_draw_invites_a_stratified_sample_and_records_it(
    session: Session, settings: Settings, evening: FixedClock
) -> None:
    day_of_dossiers(session, settings, 400)
    draw = draw_sample(session, DAY, settings, seed=7)
    plan = json.loads(draw.plan)["land"]
    # The feed's first day stands for the month: 400 × 30 = 12,000 dossiers; ±3 points at
    # 95 % needs 373 answers, 1,243 invitations at the assumed 30 % response: 10.4 %.
    assert plan["monthly_frame"] == 12_000
    assert plan["answers"] == monthly_answers(12_000, 0.03, 0.95) == 373
    assert plan["fraction"] == pytest.approx(373 / 0.3 / 12_000)
    assert (draw.frame_size, draw.eligible) == (400, 400)
    assert abs(draw.invited - 400 * plan["fraction"]) <= 1
    assert len(draw.frame_sha256) == 64
    invitations = session.exec(select(Invitation).where(Invitation.draw_id == draw.id)).all()
    assert len(invitations) == draw.invited
    assert all(i.phone_hash and i.sector_code == "land" for i in invitations)
    assert draw_sample(session, DAY, settings).id == draw.id  # a day is drawn once


def test_nobody_is_invited_twice_within_the_period(
    session: Session, settings: Settings, evening: FixedClock
) -> None:
    day_of_dossiers(session, settings, 5, phone_of=lambda i: "0912345678")
    draw = draw_sample(session, DAY, settings, seed=1)
    assert (draw.frame_size, draw.eligible, draw.invited) == (5, 1, 1)
    evening.advance(timedelta(days=1))
    rows = [dossier("HS-next", SoDienThoai="0912 345 678", NgayKetThucXuLy="20261009100000")]
    import_dossier_file(session, "next.csv", as_csv(rows), load_mapping(), settings, "test")
    later = draw_sample(session, DAY + timedelta(days=1), settings, seed=1)
    assert (later.frame_size, later.eligible, later.invited) == (1, 0, 0)
    total = session.exec(select(func.count()).select_from(Invitation)).one()
    assert total == 1


def test_a_large_frame_is_sampled_at_the_sectors_fraction(
    session: Session, settings: Settings, evening: FixedClock
) -> None:
    """4,000 dossiers a day (120,000 a month): 385 answers at 30 % = 1,284 invitations a
    month, 1.07 % of the dossiers."""
    day_of_dossiers(session, settings, 4000)
    draw = draw_sample(session, DAY, settings, seed=11)
    plan = json.loads(draw.plan)["land"]
    assert plan["answers"] == monthly_answers(120_000, 0.03, 0.95)
    assert plan["fraction"] == pytest.approx(plan["answers"] / 0.3 / 120_000)
    assert abs(draw.invited - 4000 * plan["fraction"]) <= 1
    assert session.exec(select(func.count()).select_from(Invitation).where(
        col(Invitation.draw_id) == draw.id)).one() == draw.invited  # fmt: skip
    assert isinstance(draw, SampleDraw)

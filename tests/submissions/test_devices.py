"""Device keys: keyed, salted with the day, never the raw cookie or address."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlmodel import Session

from app.submissions.devices import DeviceTrace, Visit, device_keys, repeats
from app.surveys.forms import FormCatalog
from tests.factories import counter, response_record, store

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = DeviceTrace(cookie=None, ip="203.0.113.7")


def test_a_device_has_another_key_each_day() -> None:
    monday = device_keys("secret", ZONE, datetime(2026, 10, 5, 3, tzinfo=UTC), PHONE)
    tuesday = device_keys("secret", ZONE, datetime(2026, 10, 6, 3, tzinfo=UTC), PHONE)
    assert len(monday) == len(tuesday) == 1
    assert monday != tuesday
    assert "203.0.113.7" not in monday[0]


def test_the_key_depends_on_the_secret_and_prefers_the_cookie() -> None:
    at = datetime(2026, 10, 5, 3, tzinfo=UTC)
    assert device_keys("one", ZONE, at, PHONE) != device_keys("two", ZONE, at, PHONE)
    with_cookie = DeviceTrace(cookie="abc", ip="203.0.113.7")
    other_network = DeviceTrace(cookie="abc", ip="198.51.100.1")
    assert device_keys("s", ZONE, at, with_cookie) == device_keys("s", ZONE, at, other_network)


def test_just_after_midnight_the_window_also_looks_at_yesterday() -> None:
    # 00:05 in Hải Phòng is 17:05 UTC the day before.
    just_after = datetime(2026, 10, 5, 17, 5, tzinfo=UTC)
    keys = device_keys("secret", ZONE, just_after, PHONE)
    yesterday = device_keys("secret", ZONE, datetime(2026, 10, 5, 16, 58, tzinfo=UTC), PHONE)
    assert len(keys) == 2
    assert keys[1] == yesterday[0]


def test_nothing_known_gives_no_key() -> None:
    at = datetime(2026, 10, 5, 3, tzinfo=UTC)
    assert device_keys("s", ZONE, at, DeviceTrace(cookie=None, ip=None)) == ()


def test_a_repeat_is_found_in_the_database_and_within_one_batch(
    connection: Connection, session: Session, catalog: FormCatalog
) -> None:
    at = datetime(2026, 10, 5, 3, tzinfo=UTC)
    desk = counter(session, "quay-lap")
    other_desk = counter(session, "quay-khac", code="Q2")
    keys = device_keys("secret", ZONE, at, PHONE)
    earlier = response_record(session, catalog, at="2026-10-05T09:52:00+07:00")
    store(session, [earlier._replace(counter_id=desk.id, device_hash=keys[0])])
    tablet = device_keys("secret", ZONE, at, DeviceTrace(cookie="tablet", ip=None))
    long_ago = response_record(session, catalog, at="2026-10-05T09:35:00+07:00")
    store(session, [long_ago._replace(counter_id=desk.id, device_hash=tablet[0])])
    visits = [
        Visit(tablet, desk.id, at),  # 25 minutes after its last answer here
        Visit(keys, desk.id, at),  # 8 minutes after the stored one
        Visit(keys, other_desk.id, at),  # another counter: a new visit
        Visit(keys, other_desk.id, at + timedelta(minutes=3)),  # the one above, again
        Visit(keys, other_desk.id, at + timedelta(minutes=14)),  # past the window
        Visit((), desk.id, at),  # nothing known of the device
    ]
    assert repeats(connection, visits, ZONE) == [False, True, False, True, False, False]

"""The dossier feed on the schedule: files dropped in a folder and a URL's answers are
imported, each recorded with its outcome; a rejected file goes to failed/ with its errors
beside it; a URL that fails is tried again at the next run; then yesterday's sample is
drawn from the hour the city set — once, and catching up days a stopped server missed."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.dossiers.daily import run_dossier_day
from app.dossiers.feed import pull_inbox
from app.dossiers.mapping import load_mapping
from app.dossiers.sampling import draw_due
from app.dossiers.service import import_dossier_file
from app.models import Dossier, DossierPull, SampleDraw
from tests.conftest import CITY
from tests.dashboard.test_dashboard_sessions import key_of, sign_in
from tests.dossiers.test_dossier_import import as_csv, dossier
from tests.factories import api_key
from tests.local_http import answer_json, serving

OCT_8 = date(2026, 10, 8)


@pytest.fixture(autouse=True)
def early_on_october_9(frozen_clock: FixedClock) -> None:
    at(frozen_clock, 9, 3)


def at(clock: FixedClock, day: int, hour: int) -> None:
    clock.moment = datetime(2026, 10, day, hour, 0, tzinfo=CITY).astimezone(UTC)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def drop(folder: Path, name: str, rows: list[dict[str, str]]) -> Path:
    path = folder / name
    path.write_bytes(as_csv(rows).getvalue())
    return path


def pulls(session: Session) -> list[tuple[str, str, int]]:
    found = session.exec(select(DossierPull).order_by(col(DossierPull.id))).all()
    return [(p.source, p.outcome, p.inserted) for p in found]


def test_a_folders_files_are_imported_and_moved_to_done(
    connection: Connection, session: Session, settings: Settings, inbox: Path
) -> None:
    drop(inbox, "a.csv", [dossier("HS-1"), dossier("HS-2")])
    (inbox / "b.csv.part").write_text("still being written")
    (inbox / "notes.txt").write_text("not a dossier file")

    pulled = pull_inbox(connection, inbox, settings)

    assert [(p.source, p.outcome) for p in pulled] == [("a.csv", "imported")]
    assert (inbox / "done" / "2026-10-09" / "a.csv").is_file()
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["b.csv.part", "notes.txt"]
    assert len(session.exec(select(Dossier)).all()) == 2
    assert pulls(session) == [("a.csv", "imported", 2)]


def test_a_rejected_file_goes_to_failed_with_its_errors_and_nothing_is_stored(
    connection: Connection, session: Session, settings: Settings, inbox: Path
) -> None:
    drop(inbox, "bad.csv", [dossier("HS-1"), dossier("HS-2", MaDinhDanh="99999")])

    pulled = pull_inbox(connection, inbox, settings)

    assert [p.outcome for p in pulled] == ["rejected"]
    assert (inbox / "failed" / "bad.csv").is_file()
    errors = (inbox / "failed" / "bad.csv.errors.txt").read_text(encoding="utf-8")
    assert "line 3, MaDinhDanh: unknown unit '99999'" in errors
    assert session.exec(select(Dossier)).all() == []
    assert pulls(session) == [("bad.csv", "rejected", 0)]


def test_the_same_name_dropped_again_is_kept_beside_the_first(
    connection: Connection, settings: Settings, inbox: Path
) -> None:
    for _ in range(2):
        drop(inbox, "day.csv", [dossier("HS-1")])
        pull_inbox(connection, inbox, settings)
    done = sorted(p.name for p in (inbox / "done" / "2026-10-09").iterdir())
    assert done == ["day.1.csv", "day.csv"]


class Feed:
    """Plays a province's feed: dossiers by day at /hoso/{yyyyMMdd}.json for a Bearer
    token; answers 503 while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.by_day: dict[str, list[dict[str, str]]] = {}
        self.asked: list[str] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.asked.append(self.path)
                if feed.down or self.headers.get("Authorization") != "Bearer t0ken":
                    self.send_response(503 if feed.down else 401)
                    self.end_headers()
                    return
                day = self.path.split("?")[0].removeprefix("/hoso/").removesuffix(".json")
                answer_json(self, feed.by_day.get(day, []))

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def feed(settings: Settings) -> Iterator[tuple[Feed, Settings]]:
    played = Feed()
    with serving(played.handler()) as base:
        yield played, settings.model_copy(update={
            "dossier_feed_url": f"{base}/hoso/{{day}}.json?key=abc",
            "dossier_feed_token": "t0ken",
        })  # fmt: skip


def test_a_url_is_fetched_for_yesterday_and_today_and_a_failure_tried_again(
    connection: Connection, session: Session, feed: tuple[Feed, Settings], frozen_clock: FixedClock
) -> None:
    played, settings = feed
    played.by_day["20261008"] = [dossier("HS-1"), dossier("HS-2")]
    played.down = True

    pulled, _ = run_dossier_day(connection, settings)

    assert [p.outcome for p in pulled] == ["failed", "failed"]
    assert "HTTP 503" in (pulled[0].detail or "")
    assert session.exec(select(Dossier)).all() == []
    played.down = False
    pulled, draws = run_dossier_day(connection, settings)

    assert played.asked[-2:] == ["/hoso/20261008.json?key=abc", "/hoso/20261009.json?key=abc"]
    assert [(p.outcome, p.result.inserted if p.result else None) for p in pulled] == [
        ("imported", 2),
        ("imported", 0),
    ]
    # The query may hold a key: it is not stored.
    assert {source for source, _, _ in pulls(session)} == {
        f"{settings.dossier_feed_url.split('/hoso')[0]}/hoso/2026100{d}.json?…"  # type: ignore[union-attr]
        for d in (8, 9)
    }
    assert draws == []  # 03:00: the draw waits for 07:00


def test_yesterdays_sample_is_drawn_from_the_hour_set_once(
    session: Session, settings: Settings, frozen_clock: FixedClock
) -> None:
    rows = [dossier(f"HS-{i}", SoDienThoai=f"091234567{i}") for i in range(3)]
    import_dossier_file(session, "day.csv", as_csv(rows), load_mapping(), settings, "test")
    at(frozen_clock, 9, 6)
    assert draw_due(session, settings) == []
    at(frozen_clock, 9, 7)
    assert [d.drawn_on for d in draw_due(session, settings)] == [OCT_8]
    assert draw_due(session, settings) == []


def test_days_a_stopped_server_missed_are_drawn_within_the_window_and_days_without_phones_not(
    session: Session, settings: Settings, frozen_clock: FixedClock
) -> None:
    rows = [
        dossier("HS-5", NgayKetThucXuLy="20261005100000", SoDienThoai="0912345675"),
        dossier("HS-6", NgayKetThucXuLy="20261006100000", SoDienThoai=""),
        dossier("HS-7", NgayKetThucXuLy="20261007100000", SoDienThoai="0912345677"),
        dossier("HS-1", NgayTiepNhan="20260920083000", NgayKetThucXuLy="20260925100000",
                NgayHenTra="20260930170000"),  # its window closed: its phone is not kept
    ]  # fmt: skip
    at(frozen_clock, 8, 9)
    import_dossier_file(session, "late.csv", as_csv(rows), load_mapping(), settings, "test")

    drawn = draw_due(session, settings)

    assert [d.drawn_on for d in drawn] == [date(2026, 10, 5), date(2026, 10, 7)]
    assert len(session.exec(select(SampleDraw)).all()) == 2


def test_the_hourly_run_draws_the_night_files_day_in_the_same_run(
    connection: Connection, settings: Settings, inbox: Path, frozen_clock: FixedClock
) -> None:
    at(frozen_clock, 9, 7)
    drop(inbox, "night.csv", [dossier(f"HS-{i}", SoDienThoai=f"091234567{i}") for i in range(3)])

    pulled, draws = run_dossier_day(
        connection, settings.model_copy(update={"dossier_inbox": inbox})
    )

    assert [p.outcome for p in pulled] == ["imported"]
    assert [(d.drawn_on, d.frame_size) for d in draws] == [(OCT_8, 3)]


def test_the_feeds_files_are_listed_for_analysts_and_on_the_citys_page(
    client: httpx.Client, connection: Connection, session: Session, settings: Settings,
    inbox: Path,
) -> None:  # fmt: skip
    drop(inbox, "a.csv", [dossier("HS-1")])
    drop(inbox, "b.csv", [dossier("HS-2", NgayKetThucXuLy="20260901100000")])
    pull_inbox(connection, inbox, settings)

    listed = client.get("/api/v1/dossiers/pulls", headers=api_key(session, "analyst"))
    assert listed.status_code == 200
    assert [(p["source"], p["outcome"], p["rows"]) for p in listed.json()] == [
        ("b.csv", "rejected", 0),
        ("a.csv", "imported", 1),
    ]
    assert "finished before it was received" in listed.json()[0]["detail"]
    assert client.get("/api/v1/dossiers/pulls", headers=api_key(session, "unit", ["10507"])
                      ).status_code == 403  # fmt: skip
    sign_in(client, key_of(session))
    page = client.get("/dashboard", params={"period": "2026-10"}).text
    assert "b.csv · bị từ chối (xem lỗi theo dòng): b.csv: 1 error(s)" in page
    assert "a.csv · đã nhận: 1 hồ sơ, 1 mới, 0 cập nhật" in page


def test_a_broken_mapping_leaves_the_files_where_they_are(
    connection: Connection, settings: Settings, inbox: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "vendor.toml"
    broken.write_text('name = "vendor"\n[fields]\ncode = "Ma"\n', encoding="utf-8")
    drop(inbox, "a.csv", [dossier("HS-1")])

    pulled = pull_inbox(connection, inbox, settings.model_copy(update={"dossier_mapping": broken}))

    assert [p.outcome for p in pulled] == ["failed"]
    assert "not a dossier mapping" in (pulled[0].detail or "")
    assert (inbox / "a.csv").is_file()
    assert not (inbox / "failed").exists()

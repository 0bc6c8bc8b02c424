"""Dossiers from the command line: a day's export imported, then its sample drawn."""

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.clock import FixedClock
from app.config import get_settings
from bench.common import free_port, running
from tests.conftest import CITY
from tests.dossiers.test_dossier_import import dossier


def test_import_a_json_export_then_draw_the_days_sample(
    cli_env: str, tmp_path: Path, frozen_clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    frozen_clock.moment = datetime(2026, 10, 9, 7, 0, tzinfo=CITY).astimezone(UTC)
    assert main(["seed"]) == 0
    export = tmp_path / "hoso-2026-10-08.json"
    rows = [dossier(f"HS-{i}", SoDienThoai=f"09{i:08d}") for i in range(50)]
    export.write_text(json.dumps({"dossiers": rows}, ensure_ascii=False), encoding="utf-8")
    assert main(["import", "dossiers", str(export)]) == 0
    out = capsys.readouterr().out
    assert "hoso-2026-10-08.json: 50 dossiers, 50 added, 0 updated, 0 unchanged" in out
    assert "volumes derived for 2026-10" in out
    assert main(["sample", "draw", "--seed", "42"]) == 0  # yesterday: the 8th
    drawn = capsys.readouterr().out
    assert drawn.startswith("2026-10-08: seed 42, frame 50 dossiers")
    assert "50 reachable" in drawn
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([dossier("HS-x", MaDinhDanh="nowhere")]), encoding="utf-8")
    assert main(["import", "dossiers", str(bad)]) == 1
    assert "bad.json:1: column MaDinhDanh: unknown unit 'nowhere'" in capsys.readouterr().err


def test_the_demo_runs_from_the_command_line_through_the_local_gateway(
    cli_env: str, tmp_path: Path, frozen_clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """seed --dossier-file → the file dropped in the inbox → dossiers pull (imported, the
    day drawn) → invitations send, through `sipas invitations local-gateway`."""
    frozen_clock.moment = datetime(2026, 10, 9, 7, 30, tzinfo=CITY).astimezone(UTC)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert main(["seed", "--dossier-file", str(tmp_path / "demo.csv")]) == 0
    assert "synthetic dossiers finished on 2026-10-08 (DuLieuMau = 1)" in capsys.readouterr().out
    (tmp_path / "demo.csv").rename(inbox / "demo.csv")
    monkeypatch.setenv("SIPAS_DOSSIER_INBOX", str(inbox))
    get_settings.cache_clear()
    assert main(["dossiers", "pull"]) == 0
    pulled = capsys.readouterr().out
    assert "demo.csv: imported (" in pulled
    invited = int(pulled.split("sample of 2026-10-08: ")[1].split(" invited")[0])
    assert invited > 0

    port, kept = free_port(), tmp_path / "sent.jsonl"
    local_gateway = [str(Path(sys.executable).parent / "sipas"), "invitations", "local-gateway",
                     "--port", str(port), "--keep", str(kept)]  # fmt: skip
    with running(local_gateway, dict(os.environ), port, "/") as gateway:
        monkeypatch.setenv("SIPAS_SMS_GATEWAY_URL", f"{gateway}/send")
        monkeypatch.setenv("SIPAS_SMS_API_KEY", "demo")
        monkeypatch.setenv("SIPAS_SMS_BRANDNAME", "UBND-HP")
        get_settings.cache_clear()
        assert main(["invitations", "send"]) == 0
        assert capsys.readouterr().out.startswith(f"{invited} sent, 0 to retry")
        page = httpx.get(gateway).text
    assert f"<p>{invited} tin nhắn</p>" in page
    messages = [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines()]
    assert len(messages) == invited
    assert all(m["link"].startswith("http") and "/s/" in m["link"] for m in messages)

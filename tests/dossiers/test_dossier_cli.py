"""Dossiers from the command line: a day's export imported, then its sample drawn."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from app.clock import FixedClock
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

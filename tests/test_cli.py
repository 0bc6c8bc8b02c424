"""The `sipas` command line, as an administrator types it."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from app.cli import build_parser, main
from app.config import get_settings
from app.models import ApiKey, Response, Unit
from tests.databases import scalar
from tests.factories import response_row, write_csv
from tests.paths import ROOT


def count(url: str, model: type) -> int:
    return scalar(url, select(func.count()).select_from(model))


def test_seed_then_import_paper_responses(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    assert count(cli_env, Unit) == 130
    path = write_csv(tmp_path / "paper.csv", [response_row(), response_row()])
    assert main(["import", "responses", str(path)]) == 0
    assert "paper.csv: 2 rows, 2 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["import", "responses", str(path)]) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert count(cli_env, Response) == 2


def test_a_rejected_import_prints_file_line_column_and_exits_1(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    path = write_csv(tmp_path / "bad.csv", [response_row(), response_row(overall="6")])
    assert main(["import", "responses", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert f"{path}:3: column overall: code 6 is not one of 1, 2, 3, 4, 5" in err
    assert count(cli_env, Response) == 0


def test_apikey_create_prints_the_key_once_and_list_shows_only_its_prefix(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    capsys.readouterr()
    assert (
        main(["apikey", "create", "--role", "unit", "--unit", "10507", "--label", "Thành Đông"])
        == 0
    )
    key = capsys.readouterr().out.strip()
    assert key.startswith("sipas_")
    assert main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    prefix = key.split("_")[1]
    assert prefix in listing
    assert key not in listing
    assert "unit\tactive\t10507" in listing
    assert main(["apikey", "revoke", prefix]) == 0
    assert main(["apikey", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert count(cli_env, ApiKey) == 1


def test_unknown_units_for_a_key_are_an_error(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    assert main(["apikey", "create", "--role", "unit", "--unit", "nowhere"]) == 1
    assert "unknown unit(s): nowhere" in capsys.readouterr().err


def test_a_missing_file_is_reported(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "units", "/no/such.csv"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_commands_of_the_design_exist() -> None:
    parser = build_parser()
    for argv in (
        [
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
            "--workers",
            "2",
            "--worker-timeout",
            "90",
        ],
        ["db", "upgrade"],
        ["seed", "--demo"],
        ["import", "volumes", "v.csv"],
        ["apikey", "create", "--role", "analyst"],
        ["analytics", "tally"],
    ):
        assert parser.parse_args(argv).handler is not None


def test_the_small_sample_threshold_is_a_setting(
    cli_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["seed"]) == 0
    rows = [response_row(overall="5"), response_row(overall="2")]
    assert main(["import", "responses", str(write_csv(tmp_path / "r.csv", rows))]) == 0
    argv = ["analytics", "satisfaction", "--from", "2026-10-01", "--to", "2026-10-31"]
    for threshold, small in (("30", True), ("2", False)):
        monkeypatch.setenv("SIPAS_SMALL_SAMPLE", threshold)
        get_settings.cache_clear()
        capsys.readouterr()
        assert main(argv) == 0
        (row,) = json.loads(capsys.readouterr().out)["rows"]
        assert (row["n"], row["small_sample"]) == (2, small)


def test_analytics_prints_the_same_rows_as_the_api(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    rows = [
        response_row(overall="5"),
        response_row(overall="2"),
        response_row(sector="justice", procedure_code="1.001193"),
    ]
    assert main(["import", "responses", str(write_csv(tmp_path / "r.csv", rows))]) == 0
    capsys.readouterr()
    argv = ["analytics", "satisfaction", "--from", "2026-10-01", "--to", "2026-10-31"]
    assert main([*argv, "--by", "sector", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sector,n,not_answered,rate,se,df,ci_low,ci_high")
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["justice", "1", "0", "1.0"],
        ["land", "2", "0", "0.5"],
    ]
    assert main([*argv, "--by", "planet"]) == 1
    assert "by: 'planet' is not one of" in capsys.readouterr().err
    trend = ["analytics", "trend", "--from", "2026-10-01", "--to", "2026-10-31"]
    assert main([*trend, "--by", "sector", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sector,month,n,rate,se,ci_low,ci_high")
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["justice", "2026-10", "1", "1.0"],
        ["land", "2026-10", "2", "0.5"],
    ]
    assert main(["analytics", "drivers", "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
    drivers = json.loads(capsys.readouterr().out)
    assert drivers["query"]["from"] == "2026-10-01"
    assert drivers["drivers"] == []  # feedback is "not applicable" on every row: no model


HEAVY = ("scipy", "scipy.stats", "statsmodels", "matplotlib", "alembic", "weasyprint")


def _heavy_modules_loaded(command: list[str]) -> list[str]:
    """Which of the libraries that take long to load ``sipas <command>`` loads."""
    probe = (
        "import sys\n"
        "from app.cli import main\n"
        "try:\n"
        f"    main({command!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(set({HEAVY!r}) & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)  # fmt: skip
    loaded: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("command", [["--help"], ["apikey", "list"], ["alerts", "run"]])
def test_a_light_command_loads_no_analytics_and_no_migrations(
    cli_env: str, command: list[str]
) -> None:
    """The libraries that take a second to load stay out of commands that never use them."""
    assert _heavy_modules_loaded(command) == []


def test_an_estimate_loads_scipy_s_special_functions_only(cli_env: str) -> None:
    """``scipy.stats`` costs half a second to load; the estimates call what it wraps."""
    assert main(["seed"]) == 0
    command = ["analytics", "satisfaction", "--from", "2026-10-01", "--to", "2026-10-31"]
    assert _heavy_modules_loaded(command) == ["scipy"]

"""The Dockerfile and compose.yaml call commands that exist (no Docker engine runs here)."""

import re
import shlex

import pytest

from app.cli import build_parser
from tests.paths import ROOT


def sipas_commands(text: str) -> list[list[str]]:
    """Every `sipas …` command written as a JSON exec array."""
    commands = []
    for array in re.findall(r'\[\s*"sipas"[^\]]*\]', text):
        commands.append([shlex.split(part)[0] for part in re.findall(r'"[^"]*"', array)][1:])
    return commands


@pytest.mark.parametrize("name", ["Dockerfile", "compose.yaml"])
def test_every_sipas_command_parses(name: str) -> None:
    commands = sipas_commands((ROOT / name).read_text())
    assert commands, f"{name} runs no sipas command"
    for argv in commands:
        assert build_parser().parse_args(argv).handler is not None


def test_the_image_runs_as_a_user_with_a_healthcheck_and_separate_migrations() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER sipas$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile
    assert "/healthz" in dockerfile
    assert dockerfile.count("FROM ") == 2
    assert '"--no-migrate"' in dockerfile
    compose = (ROOT / "compose.yaml").read_text()
    assert '["sipas", "db", "upgrade"]' in compose


def test_the_image_copies_every_package_the_wheel_needs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("app", "analytics", "survey_forms", "migrations"):
        assert f"COPY {package} ./{package}" in dockerfile

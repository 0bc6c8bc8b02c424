"""Settings: environment variables with the SIPAS_ prefix, safe defaults."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_defaults_are_the_embedded_database_and_the_city_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SIPAS_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///./sipas.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIPAS_PUBLIC_BASE_URL", "https://khaosat.haiphong.gov.vn/")
    assert Settings().public_base_url == "https://khaosat.haiphong.gov.vn"


def test_a_secret_is_generated_once_into_a_private_file(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=tmp_path / "secret")
    first = settings.resolved_secret_key()
    assert len(first) >= 32
    assert settings.resolved_secret_key() == first
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("secret", [None, "short", "a" * 64])
def test_production_refuses_a_missing_or_weak_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="SIPAS_SECRET_KEY"):
        Settings(environment="production", secret_key=secret)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(timezone="Mars/Olympus")

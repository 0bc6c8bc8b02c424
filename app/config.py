"""Settings: the one place that reads the environment (prefix ``SIPAS_``)."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Runtime configuration, read from ``SIPAS_*`` environment variables or ``.env``."""

    model_config = SettingsConfigDict(env_prefix="SIPAS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./sipas.db"
    analytics_database_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    secret_key_file: Path = Path(".sipas-secret")
    timezone: str = "Asia/Ho_Chi_Minh"
    environment: Literal["development", "production"] = "development"
    # WAL with synchronous=FULL makes every commit durable on power loss, not only on a crash:
    # the platform promises a stored response before it answers 2xx.
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL"] = "FULL"
    # Submissions written by a process of the server's own, on a core of its own
    # (app.writer_process); off, by a thread beside the requests (as in tests).
    writer_process: bool = True
    import_error_cap: int = Field(default=50, ge=1)
    # Days after a dossier is finished (or due, or received) that its applicant's phone is
    # kept, encrypted, for an invitation; then it is erased.
    invitation_window_days: int = Field(default=7, ge=1, le=60)
    # The vendor's dossier field names (docs/dossiers.md); unset, the national portal's.
    dossier_mapping: Path | None = None
    # The dossier feed pulled every hour by `sipas serve` (or `sipas dossiers pull`): a
    # folder the province's system drops CSV or JSON files into (moved to done/ or
    # failed/ once read), and/or a URL answering with a file; ``{day}`` in the URL becomes
    # yyyyMMdd of yesterday and of today, each fetched. The token goes as a Bearer header.
    dossier_inbox: Path | None = None
    dossier_feed_url: str | None = None
    dossier_feed_token: str | None = None
    # Yesterday's sample is drawn from this hour (city time), once the night's feed is in;
    # off where cron runs `sipas sample draw` instead.
    sample_daily: bool = True
    sample_draw_hour: int = Field(default=7, ge=0, le=23)
    # The daily random sample: the precision asked of each sector's monthly rate (±margin
    # at the level), and how long a person is not invited again.
    sample_margin: float = Field(default=0.03, gt=0, lt=0.5)
    sample_level: float = Field(default=0.95, gt=0.5, lt=1)
    no_repeat_days: int = Field(default=90, ge=0, le=3650)
    # Invitations of the sample sent to phones: by SMS (a brandname gateway shaped as
    # eSMS.vn's JSON API) or by Zalo ZNS; one reminder after some days; never at night.
    message_channel: Literal["sms", "zalo"] = "sms"
    sms_gateway_url: str | None = None
    sms_api_key: str | None = None
    sms_secret_key: str | None = None
    sms_brandname: str | None = None
    zalo_zns_url: str = "https://business.openapi.zalo.me/message/template"
    zalo_access_token: str | None = None
    zalo_template_id: str | None = None
    reminder_days: int = Field(default=2, ge=1, le=30)
    message_quiet_start: int = Field(default=21, ge=0, le=23)
    message_quiet_end: int = Field(default=7, ge=0, le=23)
    message_max_attempts: int = Field(default=8, ge=1, le=50)
    # Estimates from fewer answering responses than this are marked small_sample.
    small_sample: int = Field(default=30, ge=2)
    # The official header of the monthly report: the issuing body, its parent, the place.
    report_issuer: str = Field(default="SỞ NỘI VỤ", max_length=200)
    report_issuer_parent: str = Field(default="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG", max_length=200)
    report_place: str = Field(default="Hải Phòng", max_length=100)
    # The hourly schedule inside `sipas serve`: tallies and monthly reports, the dossier
    # feed and the daily sample (off where cron runs `sipas report run-due` and `sipas
    # dossiers pull` instead, and in tests).
    report_scheduler: bool = True
    # Requests a minute per client to the public survey endpoints (0: no limit, for
    # load tests behind a proxy that limits on its own).
    rate_limit_per_minute: int = Field(default=60, ge=0)
    # The largest request body accepted, in bytes (CSV uploads of volumes have their own).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # /metrics: with a key, any client that sends it as a Bearer token; without one, only
    # clients on this machine (a Prometheus beside the server, or through its proxy).
    metrics_key: str | None = None
    # The alert worker inside `sipas serve`: how often it sends what is due (off where cron
    # runs `sipas alerts run` instead, and in tests).
    alert_worker: bool = True
    alert_interval_seconds: int = Field(default=15, ge=1, le=3600)
    # Tries of one delivery before it is dead-lettered (about seven hours with backoff).
    alert_max_attempts: int = Field(default=12, ge=1, le=50)
    # Seconds a webhook receiver or an SMTP server has to answer one try.
    alert_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # The SMTP server for e-mailed alerts; without a host, e-mail deliveries wait
    # (retried, then dead-lettered) and the dashboard says why.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_sender: str = Field(default="SIPAS <sipas@localhost>", max_length=254)
    # The city's target for closing a case: working days (Monday to Friday) from opening.
    case_target_working_days: int = Field(default=2, ge=1, le=60)

    @field_validator("public_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _strong_secret_in_production(self) -> "Settings":
        if self.environment == "production" and (
            self.secret_key is None or _is_weak(self.secret_key)
        ):
            raise ValueError(
                "SIPAS_SECRET_KEY must be set to at least 32 random characters in production"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_secret_key(self) -> str:
        """The secret key; in development one is generated into a local file on first use."""
        if self.secret_key is not None:
            return self.secret_key
        path = self.secret_key_file
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n", encoding="utf-8")
        path.chmod(0o600)
        return key


def _is_weak(key: str) -> bool:
    return len(key) < _MIN_SECRET_LENGTH or len(set(key)) < 8


@lru_cache
def get_settings() -> Settings:
    return Settings()

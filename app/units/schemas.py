"""Request and response models for units and counters."""

from pydantic import BaseModel, ConfigDict, Field

from app.models import UNIT_LEVELS

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
# A hotline as printed: digits, spaces, dots, dashes and a leading +.
PHONE_PATTERN = r"^\+?[0-9][0-9 .-]{1,38}$"
URL_PATTERN = r"^https://[^\s]{3,292}$"
LEVEL_PATTERN = "^(" + "|".join(UNIT_LEVELS) + ")$"


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    level: str = Field(pattern=LEVEL_PATTERN)
    parent_code: str | None = None
    confirmed: bool = True
    feedback_phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    feedback_url: str | None = Field(default=None, pattern=URL_PATTERN)


class UnitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    level: str | None = Field(default=None, pattern=LEVEL_PATTERN)
    parent_code: str | None = None
    confirmed: bool | None = None
    feedback_phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    feedback_url: str | None = Field(default=None, pattern=URL_PATTERN)


class UnitPublic(BaseModel):
    code: str
    name: str
    name_en: str | None
    level: str
    parent_code: str | None
    confirmed: bool
    feedback_phone: str | None
    feedback_url: str | None


class CounterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    sector: str | None = None


class CounterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    sector: str | None = None
    active: bool | None = None


class CounterPublic(BaseModel):
    id: int
    unit_code: str
    code: str
    name: str
    sector: str | None
    slug: str
    url: str
    active: bool

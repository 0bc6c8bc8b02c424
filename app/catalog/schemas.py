"""Request and response models for sectors, procedures and targets."""

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.units.schemas import CODE_PATTERN, LEVEL_PATTERN


class SectorPublic(BaseModel):
    code: str
    name_vi: str
    name_en: str


class ProcedureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=2000)
    sector: str
    unit_level: str = Field(pattern=LEVEL_PATTERN)


class ProcedureUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=2000)
    sector: str | None = None
    unit_level: str | None = Field(default=None, pattern=LEVEL_PATTERN)


class ProcedurePublic(BaseModel):
    code: str
    name: str
    sector: str
    unit_level: str


class TargetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    sector: str | None = None
    threshold: float = Field(gt=0, le=1)
    valid_from_year: int = Field(ge=2000, le=2100)
    valid_to_year: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _consistent(self) -> "TargetCreate":
        if self.valid_from_year > self.valid_to_year:
            raise ValueError("valid_from_year must not be after valid_to_year")
        if (self.indicator == "sector") != (self.sector is not None):
            raise ValueError("sector is given exactly when indicator is 'sector'")
        return self


class TargetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float | None = Field(default=None, gt=0, le=1)
    valid_from_year: int | None = Field(default=None, ge=2000, le=2100)
    valid_to_year: int | None = Field(default=None, ge=2000, le=2100)


class TargetPublic(BaseModel):
    id: int
    indicator: str
    sector: str | None
    threshold: float
    valid_from_year: int
    valid_to_year: int

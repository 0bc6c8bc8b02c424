"""How a vendor's dossier export names its fields: a mapping file (TOML), checked when
it is loaded. The shipped one (``mappings/national.toml``) uses the national portal's
names; docs/dossiers.md describes the format."""

import tomllib
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import FieldError, Invalid
from app.models import CHANNELS

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
REQUIRED = ("code", "procedure", "unit", "channel", "received_at", "status")
OPTIONAL = (
    "due_at", "finished_at", "applicant_kind", "phone", "complaint", "disliked", "synthetic",
)  # fmt: skip


class DossierMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    date_format: str = "%Y%m%d%H%M%S"
    procedure_code_parts: int = Field(default=2, ge=1, le=8)
    # Our field → the vendor's name, or names tried in order (the first with a value).
    fields: dict[str, str | tuple[str, ...]]
    channels: dict[str, str]
    units: dict[str, str] = Field(default_factory=dict)

    @cached_property
    def _names(self) -> dict[str, tuple[str, ...]]:
        """``names`` of every field, made once: it is asked a dozen times per dossier."""
        return {field: (named,) if isinstance(named, str) else tuple(named)
                for field, named in self.fields.items()}  # fmt: skip

    @field_validator("fields")
    @classmethod
    def _known_fields(
        cls, value: dict[str, str | tuple[str, ...]]
    ) -> dict[str, str | tuple[str, ...]]:
        unknown = sorted(set(value) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        missing = [name for name in REQUIRED if name not in value]
        if missing:
            raise ValueError(f"missing fields: {', '.join(missing)}")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(channel for channel in value.values() if channel not in CHANNELS)
        if bad:
            raise ValueError(f"channels must map to {', '.join(CHANNELS)}, not {bad}")
        return value

    def names(self, field: str) -> tuple[str, ...]:
        """The vendor's names for one of our fields (none when the export lacks it)."""
        return self._names.get(field, ())


def load_mapping(path: Path | None = None) -> DossierMapping:
    """The mapping at ``path``, or the national one; Invalid names what is wrong."""
    path = path or MAPPINGS_DIR / "national.toml"
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
        return DossierMapping.model_validate(content)
    except OSError as problem:
        raise Invalid(f"{path}: {problem.strerror or problem}") from None
    except tomllib.TOMLDecodeError as problem:
        raise Invalid(f"{path}: not TOML: {problem}") from None
    except ValidationError as problem:
        errors = [
            FieldError(".".join(str(part) for part in error["loc"]), error["msg"])
            for error in problem.errors()
        ]
        raise Invalid(f"{path}: not a dossier mapping", errors) from None

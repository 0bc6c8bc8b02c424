"""Survey forms as data: ``<form-id>.v<N>.toml``. A published version is never edited."""

from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent

__all__ = ["FORMS_DIR"]

"""Alembic migrations: the only way the schema changes, on SQLite and PostgreSQL alike."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent

__all__ = ["MIGRATIONS_DIR"]

"""Running the Alembic migrations from code (``sipas db upgrade``, tests, start-up)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from migrations import MIGRATIONS_DIR


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision."""
    with engine.begin() as connection:
        upgrade_connection(connection)


def upgrade_connection(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")

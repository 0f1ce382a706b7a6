"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from coaching.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration; raise :class:`StoreError` if the database is unreachable."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot migrate database {engine.url.render_as_string(hide_password=True)}: "
            f"{error.__class__.__name__}: {str(error).splitlines()[0]}"
        ) from error

"""Bring a database to the newest schema with Alembic.

A database already at the newest revision is recognised from its ``alembic_version`` row without loading Alembic
(about 0.3 s in every CLI process: ``bench/bench_speed.py``); the migration files are numbered ``NNNN_name.py``
with revision ``NNNN``, one chain (``tests/unit/test_migrate.py`` holds that to Alembic's own head).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from coaching.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def head_revision() -> str:
    """The newest migration's revision: the highest ``NNNN`` of ``versions/NNNN_*.py``."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def is_current(engine: Engine) -> bool:
    """Whether the database is at :func:`head_revision` (False when it has no version table yet)."""
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return False
    return version == head_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration; raise :class:`StoreError` if the database is unreachable."""
    if is_current(engine):
        return
    from alembic import command
    from alembic.config import Config

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

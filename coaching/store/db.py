"""The database handle: one engine, migrated on open, and short transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import coaching.store.totals  # noqa: F401  (its listener recounts item totals with each stored analysis)
from coaching.errors import StoreError
from coaching.store.base import make_engine
from coaching.store.migrate import upgrade_to_head


class Database:
    """Holds the engine; :meth:`transaction` gives a session committed on success, rolled back on error."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, db_url: str, *, migrate: bool = True) -> Database:
        """Create the engine for ``db_url`` and bring the schema to the newest version."""
        engine = make_engine(db_url)
        if migrate:
            upgrade_to_head(engine)
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: everything inside commits together or not at all."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as error:
            session.rollback()
            raise StoreError(f"database error: {error.__class__.__name__}: {str(error).splitlines()[0]}") from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

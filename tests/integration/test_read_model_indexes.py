"""Migration 0004: the migrated schema has exactly the indexes the table definitions declare (SQLite and a real
PostgreSQL), it (and 0005 above it) goes down and up again, and SQLite's planner uses them for the read models'
queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Select, inspect, select, text

from coaching.scopes import CallScope
from coaching.store import app_tables, tables
from coaching.store.base import Base
from coaching.store.db import Database
from coaching.store.migrate import MIGRATIONS_DIR
from coaching.store.results import results_query
from coaching.store.survey_tables import SurveyRow
from tests.pg import postgres_or_skip

NEW_INDEXES = {
    "ix_calls_agent_id_created_at",
    "ix_calls_created_at",
    "ix_analyses_call_id_id",
    "ix_item_reviews_call_id_kind",
    "ix_surveys_team_id_answered_at",
    "ix_surveys_agent_id_answered_at",
}


def _indexes(engine: Engine) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    """Indexes per table as the database reports them (PostgreSQL's unique-constraint indexes left out)."""
    found = inspect(engine)
    present = set(found.get_table_names())  # after going down, the later migrations' tables are gone
    return {
        t.name: {
            (i["name"] or "", tuple(c or "" for c in i["column_names"]))
            for i in found.get_indexes(t.name)
            if not i.get("duplicates_constraint")
        }
        for t in Base.metadata.sorted_tables
        if t.name in present
    }


def _declared() -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    return {
        t.name: {(i.name or "", tuple(c.name for c in i.columns)) for i in t.indexes}
        for t in Base.metadata.sorted_tables
    }


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database.open(f"sqlite:///{tmp_path / 'c.db'}")
        yield database
        database.dispose()
        return
    with postgres_or_skip() as url:
        database = Database.open(url)
        yield database
        database.dispose()


def test_the_migrated_indexes_are_the_declared_ones_and_0004_goes_down_and_up(db: Database) -> None:
    assert _indexes(db.engine) == _declared()
    declared = {name for found in _declared().values() for name, _ in found}
    assert SurveyRow.__tablename__ in _declared() and declared >= NEW_INDEXES
    _migrate(db.engine, "0003", down=True)
    after_down = {name for found in _indexes(db.engine).values() for name, _ in found}
    assert not NEW_INDEXES & after_down
    _migrate(db.engine, "head")
    assert _indexes(db.engine) == _declared()


def _plan(database: Database, query: Select[*tuple[Any, ...]]) -> str:
    sql = str(query.compile(database.engine, compile_kwargs={"literal_binds": True}))
    with database.engine.connect() as connection:
        return " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_sqlite_plans_the_read_models_on_the_new_indexes(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'c.db'}")
    calls, reviews = tables.CallRow, app_tables.ItemReviewRow
    results = _plan(database, results_query(CallScope(agent_ids=("aino",)), metrics=False))
    agent_list = _plan(database, select(calls.id).where(calls.agent_id == "aino").order_by(calls.created_at.desc()))
    everyone = _plan(database, select(calls.id).order_by(calls.created_at.desc()))
    disputed = select(reviews.id).where(reviews.call_id == calls.id, reviews.kind == "dispute").exists()
    flags = _plan(database, select(calls.id).where(disputed))
    database.dispose()
    assert "COVERING INDEX ix_analyses_call_id_id" in results  # the newest analysis per call from the index alone
    assert "ix_calls_agent_id_created_at" in agent_list and "TEMP B-TREE" not in agent_list
    assert "ix_calls_created_at" in everyone and "TEMP B-TREE" not in everyone
    assert "ix_item_reviews_call_id_kind" in flags

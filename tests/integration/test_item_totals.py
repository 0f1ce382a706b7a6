"""Item totals per agent (migration 0011, :mod:`coaching.store.totals`): after every write that changes what the
calibration table counts (an analysis stored or replaced, a practice call shared, calls deleted, an agent erased)
the totals are what counting every item row from scratch gives, the all-teams calibration read from them is the
table grouped from every item row, and the migration fills them; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from coaching.access import User
from coaching.demo.scale import build, checklist_json
from coaching.scopes import CallScope
from coaching.services.practice import share_practice_call
from coaching.store.db import Database
from coaching.store.erase import delete_agent_rows, delete_calls, delete_surveys
from coaching.store.migrate import MIGRATIONS_DIR
from coaching.store.tables import AgentRow, AnalysisRow, CallRow, CategoryResultRow, ItemResultRow, TeamRow
from coaching.store.totals import ItemTotalRow, refill_item_totals
from coaching.views.team import calibration
from tests.integration.test_dashboards_at_scale import _reference_calibration
from tests.pg import postgres_or_skip

MANAGER = User("manager", "manager")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database.open(f"sqlite:///{tmp_path / 'totals.db'}")
        build(database, calls=500, agents=8, teams=3, seed=5)
        yield database
        database.dispose()
        return
    with postgres_or_skip() as url:
        database = Database.open(url)
        build(database, calls=500, agents=8, teams=3, seed=5)
        yield database
        database.dispose()


def _rows(session: Session) -> list[tuple[object, ...]]:
    columns = (ItemTotalRow.agent_id, ItemTotalRow.item_id, ItemTotalRow.label, ItemTotalRow.position)
    counts = (ItemTotalRow.items, ItemTotalRow.calls, ItemTotalRow.passed)
    return sorted((tuple(r) for r in session.execute(select(*columns, *counts)).all()), key=repr)


def _totals(db: Database) -> list[tuple[object, ...]]:
    with db.transaction() as session:
        return _rows(session)


def _recounted(db: Database) -> list[tuple[object, ...]]:
    """The totals counted again from every item row (in a transaction that is rolled back)."""
    with db.transaction() as session:
        refill_item_totals(session)
        rows = _rows(session)
        session.rollback()
    return rows


def _category_sums(db: Database) -> list[tuple[object, ...]]:
    with db.transaction() as session:
        return sorted(tuple(r) for r in session.execute(select(*CategoryResultRow.__table__.columns)).all())


def _check(db: Database) -> pd.DataFrame:
    """The stored totals are a fresh count, each analysis's category sums are its item rows summed, and the
    all-teams calibration is the one grouped from every item."""
    stored = _totals(db)
    assert stored == _recounted(db) and stored
    with db.transaction() as session:
        passed = func.sum(case((ItemResultRow.passed.is_(True), 1), else_=0))
        summed = select(ItemResultRow.analysis_id, ItemResultRow.category, func.min(ItemResultRow.position))
        summed = summed.add_columns(func.count(ItemResultRow.passed), passed).where(ItemResultRow.category.is_not(None))
        rows = session.execute(summed.group_by(ItemResultRow.analysis_id, ItemResultRow.category)).all()
    assert _category_sums(db) == sorted(tuple(r) for r in rows)
    with db.transaction() as session:
        teams = tuple(session.scalars(select(TeamRow.id).order_by(TeamRow.id)))
    got = calibration(MANAGER, db)
    want = _reference_calibration(db, CallScope(team_ids=teams))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    return got


def test_totals_follow_every_write_that_changes_them(db: Database) -> None:
    first = _check(db)
    with db.transaction() as session:  # a new analysis of a call replaces its results
        call_id, agent_id = session.execute(
            select(CallRow.id, CallRow.agent_id).where(CallRow.is_private.is_(False)).order_by(CallRow.id).limit(1)
        ).one()
        checklist = checklist_json(random.Random(2), 0.99)
        for item in checklist["items"]:
            item["passed"] = True
        session.add(
            AnalysisRow(
                call_id=call_id, created_at=datetime.now(UTC), schema_version="1", metrics={}, checklist=checklist
            )
        )
    replaced = _check(db)
    assert replaced["auto_pass_rate"].tolist() != first["auto_pass_rate"].tolist()
    with db.transaction() as session:
        practice, owner = session.execute(
            select(CallRow.id, CallRow.agent_id).where(CallRow.is_private.is_(True)).order_by(CallRow.id).limit(1)
        ).one()
    share_practice_call(User(owner, "agent", agent_id=owner), db, practice, shared=True)
    shared = _check(db)
    assert shared["calls"].sum() > replaced["calls"].sum()  # the shared practice call now counts
    with db.transaction() as session:
        some = list(session.scalars(select(CallRow.id).where(CallRow.agent_id == agent_id).limit(20)))
        delete_calls(session, some)
    assert _check(db)["calls"].sum() < shared["calls"].sum()
    with db.transaction() as session:  # erase an agent: calls, surveys, rows and the agent
        erased = session.scalars(select(AgentRow.id).where(AgentRow.id != agent_id).order_by(AgentRow.id)).first()
        assert erased is not None
        delete_calls(session, list(session.scalars(select(CallRow.id).where(CallRow.agent_id == erased))))
        delete_surveys(session, agent_id=erased)
        delete_agent_rows(session, erased, keep_agent=False)
    _check(db)
    assert not [row for row in _totals(db) if row[0] == erased]  # nothing of the erased agent stays


def test_the_migrations_fill_the_totals_and_category_sums(tmp_path: Path) -> None:
    """0011 counts the item totals and 0012 sums each analysis's categories as writing them with each analysis
    does (the demo data are written with the same values as the listener writes)."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db = Database.open(url)
    build(db, calls=300, agents=6, teams=2, seed=9)
    want, sums = _totals(db), _category_sums(db)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:  # back to 0010 (no totals), then up again: 0011 counts them
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    db.dispose()
    db = Database.open(url)
    assert _totals(db) == want and want
    assert _category_sums(db) == sums and sums
    _check(db)
    db.dispose()


def test_reading_many_teams_does_not_group_item_rows(tmp_path: Path) -> None:
    """The all-teams calibration reads the totals: its answer changes when only the totals do (a check that the
    fast path is the one taken, so the comparisons above compare two different computations)."""
    db = Database.open(f"sqlite:///{Path(tempfile.mkdtemp(dir=tmp_path)) / 't.db'}")
    build(db, calls=200, agents=4, teams=2, seed=4)
    before = calibration(MANAGER, db)
    with db.transaction() as session:
        for row in session.scalars(select(ItemTotalRow)):
            row.passed = 0
    after = calibration(MANAGER, db)
    assert before["auto_pass_rate"].gt(0).any() and after["auto_pass_rate"].eq(0).all()
    db.dispose()


def test_two_writers_storing_calls_of_one_agent_at_once_both_commit(db: Database) -> None:
    """Two workers storing calls of one agent at the same moment: each insert holds the agent row's key-share lock
    (its foreign key), then each refill locks the agent row; the refills take turns instead of deadlocking."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the second insert waits for the first commit")
    with db.transaction() as session:
        template = session.scalars(select(CallRow).where(CallRow.is_private.is_(False)).limit(1)).one()
        agent_id = template.agent_id
        values = {c.key: getattr(template, c.key) for c in CallRow.__table__.columns}
    both_inserted = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def store(n: int) -> None:
        try:
            with db.transaction() as session:
                session.add(CallRow(**{**values, "id": f"race-{n}", "audio_sha256": uuid.uuid4().hex * 2}))
                session.flush()  # the call row is in: the agent row is key-share locked until commit
                both_inserted.wait()
                refill_item_totals(session, [agent_id])
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=store, args=(n,)) for n in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert not errors, errors
    with db.transaction() as session:
        assert session.query(CallRow).filter(CallRow.id.like("race-%")).count() == 2
    _check(db)

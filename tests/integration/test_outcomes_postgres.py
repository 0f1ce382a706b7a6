"""The survey migration, import and figures on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coaching.access import SYSTEM_USER
from coaching.errors import SurveyImportError
from coaching.services.outcomes import OutcomeSettings, fcr_table, import_surveys, nps_table
from coaching.store.db import Database
from tests.integration.test_outcomes import snapshot
from tests.pg import postgres_or_skip
from tests.unit.test_surveys import DATA, FI_MAPPING

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_db() -> Iterator[Database]:
    with postgres_or_skip() as url:
        database = Database.open(url)
        yield database
        database.dispose()


def test_import_reimport_rejection_and_figures_on_postgres(pg_db: Database, tmp_path: Path) -> None:
    first = import_surveys(SYSTEM_USER, pg_db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert (first.new, first.agents_created, first.teams_created) == (5, 2, 2)
    before = snapshot(pg_db)
    again = import_surveys(SYSTEM_USER, pg_db, DATA / "export_fi.csv", mapping=FI_MAPPING)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    with pytest.raises(SurveyImportError, match=r"bad_score.csv row 4, column 'score': 11 is outside 0–10"):
        import_surveys(SYSTEM_USER, pg_db, DATA / "bad_score.csv")
    assert snapshot(pg_db) == before
    settings = OutcomeSettings(min_n=3)
    rows = nps_table(SYSTEM_USER, pg_db, by="month", level="organisation", settings=settings)
    assert [(r["period"], r["n"], r["nps"]) for r in rows] == [("2026-11", 5, 0.0)]
    fcr = fcr_table(SYSTEM_USER, pg_db, by="month", agent_id="aino", settings=settings)
    assert [(r["n"], r["resolved"], r["unknown"]) for r in fcr] == [(1, 0, 2)]

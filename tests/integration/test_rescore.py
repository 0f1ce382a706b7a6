"""Re-scoring stored calls with a new checklist version keeps the old results in the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from coaching.access import User
from coaching.checklist.loader import DEFAULT_PATH
from coaching.errors import AccessError
from coaching.services.checklists import rescore_calls
from coaching.settings import Settings
from coaching.store.db import Database
from coaching.store.tables import AnalysisRow
from tests.cli_helpers import run_cli

SHORT = Path(__file__).resolve().parents[2] / "audio_samples" / "en_short.flac"


def test_rescore_adds_a_row_with_the_new_version_and_keeps_the_old(tmp_path: Path, cli_model: str) -> None:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    code, _, err = run_cli(settings, "analyze", str(SHORT), "--agent", "emma", "--model", cli_model, "--language", "en")
    assert code == 0, err
    edited = tmp_path / "v2.yaml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "\nversion: 1\n" in text
    edited.write_text(text.replace("\nversion: 1\n", "\nversion: 2\n"), encoding="utf-8")

    code, out, err = run_cli(settings, "rescore", "--checklist", str(edited))
    assert code == 0, err
    assert out.startswith("re-scored 1 calls with ") and "@v2+" in out
    code, out, _ = run_cli(settings, "rescore", "--checklist", str(edited))
    assert "re-scored 0 calls" in out and "1 already used it" in out

    db = Database.open(settings.db_url)
    with db.transaction() as session:
        rows = session.scalars(select(AnalysisRow).order_by(AnalysisRow.id)).all()
        versions = [(r.checklist["version"], r.score) for r in rows]
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1] == versions[1][1]  # same items and weights: same score, new version recorded
    with pytest.raises(AccessError):
        rescore_calls(User(id="emma", role="agent", agent_id="emma"), db)
    db.dispose()

"""``batch --engine ray`` on a local Ray instance with two workers, on short espeak calls and the real quick model:
each call analysed once, by one of the two workers, and skipped when the batch runs again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jiwer
import pytest
import soundfile as sf
from sqlalchemy import func, select

from audio_samples.make_samples import SAMPLE_RATE_HZ, build_call
from audio_samples.scripts import CallScript
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.audit import AuditRow
from coaching.store.db import Database
from coaching.store.tables import SegmentRow
from tests.cli_helpers import run_cli

pytest.importorskip("ray", reason="Ray is not installed (pip install -r requirements-distributed.txt)")
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SCRIPTS = (
    CallScript(
        "ray_a",
        "en",
        "short",
        (
            ("agent", 0.0, "Hello, this is Emma. How can I help you today?"),
            ("customer", 0.5, "I would like to pay my bill."),
        ),
    ),
    CallScript(
        "ray_b",
        "en",
        "short",
        (("agent", 0.0, "Good morning, my name is Emma."), ("customer", 0.5, "Hi, my card was charged twice.")),
    ),
    CallScript(
        "ray_c",
        "en",
        "short",
        (
            ("agent", 0.0, "Thank you for calling. What can I do for you?"),
            ("customer", 0.5, "Please move my due date."),
        ),
    ),
)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def test_two_ray_workers_analyse_each_call_once(
    tmp_path: Path, cli_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "calls"
    folder.mkdir()
    scripts = {}
    for script in SCRIPTS:
        stereo, _truth = build_call(script=script, workdir=tmp_path)
        sf.write(folder / f"{script.name}.flac", stereo.T, SAMPLE_RATE_HZ)
        scripts[f"{script.name}.flac"] = " ".join(text for _speaker, _gap, text in script.turns)
    monkeypatch.setenv("COACHING_DATA_DIR", str(tmp_path / "data"))  # the actors read their settings from here
    monkeypatch.setenv("COACHING_WHISPER_MODEL", cli_model)
    monkeypatch.setenv("COACHING_LANGUAGES", "en")
    monkeypatch.delenv("COACHING_DB_URL", raising=False)
    settings = Settings.from_env()
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma", "--engine", "ray", "--workers", "2")
    assert code == 0, out + err
    assert out.startswith("analysed 3 (") and "failed 0, left 0" in out
    db = Database.open(settings.db_url)
    with db.transaction() as session:
        jobs = session.execute(select(JobRow.call_id, JobRow.lease_owner, JobRow.params)).all()
        stored = session.scalars(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "analyze").group_by(AuditRow.object_id)
        ).all()
        texts = {
            job.params["filename"]: " ".join(
                session.scalars(select(SegmentRow.text).where(SegmentRow.call_id == job.call_id)).all()
            )
            for job in jobs
        }
    db.dispose()
    assert sorted(stored) == [1, 1, 1]  # each call stored once
    assert len({job.lease_owner for job in jobs}) == 2  # both workers ran calls
    for name, said in scripts.items():  # the real model heard the words (a margin, not one machine's output)
        assert jiwer.wer(_words(said), _words(texts[name])) < 0.5, (name, texts[name])
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma", "--engine", "ray")
    assert code == 0 and out.startswith("analysed 0 (") and "skipped 3" in out, out + err

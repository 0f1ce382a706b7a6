"""``python -m coaching batch`` with the local engine (a ground-truth transcriber, no model): a folder and a manifest,
skipping what was analysed with the same audio and settings, a failure per file, an interrupted run resumed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import func, select

from audio_samples.truth import audio_path
from coaching.access import SYSTEM_USER
from coaching.asr.transcriber import AsrSegment
from coaching.services.languages import set_agent_language
from coaching.settings import Settings
from coaching.store.app_tables import JobRow
from coaching.store.audit import AuditRow
from coaching.store.db import Database
from coaching.store.tables import CallRow
from tests.app_helpers import TruthTranscriber
from tests.audio_factory import random_bytes_file
from tests.cli_helpers import run_cli


class CountingTruth(TruthTranscriber):
    """The ground truth of ``en_short``; counts transcriptions and stops the run (Ctrl-C) at ``interrupt_at``."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        super().__init__("en_short")
        self.interrupt_at = interrupt_at

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        return "en", 0.99

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        if self.calls + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        return super().transcribe(samples=samples, language=language)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> CountingTruth:
    fake = CountingTruth()
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
    monkeypatch.setattr("coaching.asr.transcriber.load_transcriber", lambda *_a, **_k: fake)
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})


def write_calls(folder: Path, n: int, *, corrupt: bool = False) -> list[Path]:
    """``n`` recordings of the short English sample, each with its own length of trailing silence (another
    sha256, the same words), in ``folder`` and a subfolder; a corrupt file besides when ``corrupt``."""
    samples, rate = sf.read(audio_path("en_short"), dtype="float32", always_2d=True)
    paths = []
    for i in range(n):
        path = folder / ("sub" if i % 2 else "") / f"call{i}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        silence = np.zeros((int(rate * 0.25 * (i + 1)), samples.shape[1]), dtype=np.float32)
        sf.write(path, np.concatenate([samples, silence]), rate)
        paths.append(path)
    if corrupt:
        random_bytes_file(folder / "broken.wav")
    (folder / "notes.txt").write_text("not audio: ignored")
    return paths


def stored_per_call(settings: Settings) -> list[int]:
    """How often each call was stored (the append-only audit log)."""
    db = Database.open(settings.db_url)
    try:
        with db.transaction() as session:
            return list(
                session.scalars(
                    select(func.count())
                    .select_from(AuditRow)
                    .where(AuditRow.action == "analyze")
                    .group_by(AuditRow.object_id)
                ).all()
            )
    finally:
        db.dispose()


def test_a_folder_is_analysed_with_one_failure_per_bad_file_and_skipped_when_run_again(
    settings: Settings, model: CountingTruth, tmp_path: Path
) -> None:
    folder = tmp_path / "calls"
    write_calls(folder, 3, corrupt=True)
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 1, err  # a file failed
    assert out.startswith("analysed 3 (") and "skipped 0, failed 1, left 0" in out
    failed = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and "broken.wav" in failed[0] and "not an audio file" in failed[0]
    assert model.calls == 3 * 2  # two channels per call
    assert sorted(stored_per_call(settings)) == [1, 1, 1]

    code, out, _err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert out.startswith("analysed 0 (") and "skipped 3, failed 1" in out  # the failure is remembered, not redone
    assert model.calls == 3 * 2

    again = settings.with_overrides(languages=("en", "fi"))  # other settings: another fingerprint
    code, out, _err = run_cli(again, "batch", str(folder), "--agent", "emma", "--retry-failed")
    assert out.startswith("analysed 3 (") and "skipped 0, failed 1" in out
    assert sorted(stored_per_call(settings)) == [2, 2, 2]


def test_a_new_default_language_of_the_agent_analyses_the_folder_again(
    settings: Settings, model: CountingTruth, tmp_path: Path
) -> None:
    """Files without a language are analysed in the agent's default one: once it changes, the earlier analyses
    (detected language) are not the ones this run would make, so nothing is skipped; run again, all is."""
    folder = tmp_path / "calls"
    write_calls(folder, 2)
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 0 and out.startswith("analysed 2 ("), out + err
    db = Database.open(settings.db_url)
    set_agent_language(SYSTEM_USER, db, "emma", "en")
    db.dispose()
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 0 and out.startswith("analysed 2 (") and "skipped 0" in out, out + err
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 0 and out.startswith("analysed 0 (") and "skipped 2" in out, out + err
    assert sorted(stored_per_call(settings)) == [2, 2]


def test_an_interrupted_batch_resumes_without_losing_or_repeating_a_file(
    settings: Settings, model: CountingTruth, tmp_path: Path
) -> None:
    folder = tmp_path / "calls"
    write_calls(folder, 4)
    model.interrupt_at = 2 * 2 + 2  # Ctrl-C in the second channel of the third file
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 1 and "interrupted" in err
    assert out.startswith("analysed 2 (") and "left 2" in out
    model.interrupt_at = None
    code, out, err = run_cli(settings, "batch", str(folder), "--agent", "emma")
    assert code == 0, out + err
    assert out.startswith("analysed 2 (") and "skipped 2, failed 0, left 0" in out
    assert sorted(stored_per_call(settings)) == [1, 1, 1, 1]  # each file stored once
    db = Database.open(settings.db_url)
    with db.transaction() as session:
        attempts = session.scalars(select(JobRow.attempts).where(JobRow.kind == "batch")).all()
    db.dispose()
    assert sorted(attempts) == [1, 1, 1, 1]  # no file queued twice; the interrupted claim did not count


def test_a_manifest_names_agent_contact_language_and_date(
    settings: Settings, model: CountingTruth, tmp_path: Path
) -> None:
    first, second = write_calls(tmp_path / "calls", 2)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,agent,contact_id,language,recorded_at\n"
        f"calls/{first.name},aino,C-1,en,2026-03-04T09:30\n"
        f"{second},eero,,auto,\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(settings, "batch", str(manifest))
    assert code == 0, out + err
    db = Database.open(settings.db_url)
    with db.transaction() as session:
        calls = {row.agent_id: row for row in session.scalars(select(CallRow)).all()}
    db.dispose()
    assert set(calls) == {"aino", "eero"}
    assert calls["aino"].contact_id == "C-1" and calls["eero"].contact_id is None
    recorded = calls["aino"].created_at.replace(tzinfo=calls["aino"].created_at.tzinfo or UTC)
    assert recorded == datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("path,agent,colour\na.wav,aino,red\n", "manifest.csv: unknown column 'colour'"),
        ("agent\naino\n", "manifest.csv: no 'path' column"),
        ("path,agent,language\na.wav,aino,de\n", "manifest.csv row 2, column 'language': 'de' is not one of"),
        ("path,agent\na.wav,aino\nb.wav,\n", "manifest.csv row 3, column 'agent': empty"),
        ("path,agent,recorded_at\na.wav,aino,yesterday\n", "manifest.csv row 2, column 'recorded_at': 'yesterday'"),
        ("path,agent\na.wav,aino,extra\n", "manifest.csv row 2: more cells than columns"),
        ("path,agent\n", "manifest.csv: the manifest has no rows"),
    ],
)
def test_a_bad_manifest_is_refused_with_one_line_and_nothing_stored(
    settings: Settings, model: CountingTruth, tmp_path: Path, text: str, message: str
) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(text, encoding="utf-8")
    code, out, err = run_cli(settings, "batch", str(manifest))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert not (settings.data_dir / "coaching.db").exists()  # nothing stored: the database was not even opened


def test_usage_mistakes_are_one_line(settings: Settings, model: CountingTruth, tmp_path: Path) -> None:
    folder = tmp_path / "calls"
    write_calls(folder, 1)
    code, _out, err = run_cli(settings, "batch", str(folder))
    assert code == 1 and err.startswith("error: ") and "needs --agent" in err
    code, _out, err = run_cli(settings, "batch", str(folder), "--agent", "emma", "--workers", "3")
    assert code == 1 and "--workers applies to --engine ray" in err
    code, _out, err = run_cli(settings, "batch", str(tmp_path / "missing"), "--agent", "emma")
    assert code == 1 and "no such folder or manifest" in err

"""The CLI contract: exit codes, one-line errors, JSON output, and a database untouched by failures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import inspect, text

from audio_samples.truth import load_truth
from coaching.analysis.evaluation import word_error_rate
from coaching.analysis.report import analysis_json_schema
from coaching.settings import Settings
from coaching.store.db import Database
from tests.audio_factory import header_only_wav, random_bytes_file, tone_signal, truncated_copy, write_wav
from tests.cli_helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
SHORT = REPO / "audio_samples" / "en_short.flac"
MODELS_DIR = REPO / "data" / "models"


def _settings(tmp_path: Path, **extra: str) -> Settings:
    env = {"COACHING_DATA_DIR": str(tmp_path / "data"), **extra}
    return Settings.from_env(env).with_overrides(data_dir=tmp_path / "data")


def snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database."""
    db = Database.open(settings.db_url)
    try:
        with db.engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}
    finally:
        db.dispose()


@pytest.fixture
def stored(tmp_path: Path, cli_model: str) -> Settings:
    """Settings whose database already holds one analysed call (the short English sample, model under test)."""
    settings = _settings(tmp_path)
    code, out, err = run_cli(
        settings, "analyze", str(SHORT), "--agent", "emma", "--model", cli_model, "--language", "en"
    )
    assert code == 0, err
    assert "stored" in out
    return settings


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, dict[str, str], str]]:
    """name → (file, extra settings, expected words in the message)."""
    d = tmp_path / "bad"
    d.mkdir()
    (d / "empty.wav").write_bytes(b"")
    (d / "notes.mp3").write_text("these are meeting notes, not audio\n" * 50)
    stereo = write_wav(d / "good.wav", tone_signal(duration_s=4.0), sample_rate_hz=44_100)
    three = write_wav(d / "three.wav", np.tile(tone_signal(duration_s=1.0)[:, :1], (1, 3)), sample_rate_hz=44_100)
    sf.write(d / "silent.wav", np.zeros((16_000 * 3, 2), dtype=np.float32), 16_000)
    return {
        "empty": (d / "empty.wav", {}, "empty"),
        "not audio": (d / "notes.mp3", {}, "not an audio file"),
        "random bytes": (random_bytes_file(d / "noise.m4a"), {}, "noise.m4a"),
        "header only": (header_only_wav(d / "header.wav"), {}, "header.wav"),
        "truncated": (truncated_copy(stereo, d / "cut.wav", keep_bytes=300), {}, "cut.wav"),
        "three channels": (three, {}, "3 channels"),
        "too large": (stereo, {"COACHING_MAX_FILE_MB": "0.1"}, "limit"),
        "too long": (stereo, {"COACHING_MAX_DURATION_MIN": "0.02"}, "limit"),
        "silent": (d / "silent.wav", {}, "silent.wav"),
        "missing": (d / "nothing-here.wav", {}, "nothing-here.wav"),
    }


def test_each_bad_input_exits_1_with_one_line_and_leaves_the_database_unchanged(
    stored: Settings, tmp_path: Path, cli_model: str
) -> None:
    before = snapshot(stored)
    for name, (path, extra, expected) in _bad_inputs(tmp_path).items():
        settings = _settings(tmp_path, **extra)
        assert settings.db_url == stored.db_url
        code, out, err = run_cli(settings, "analyze", str(path), "--agent", "emma", "--model", cli_model)
        assert code == 1, f"{name}: exit {code}, stderr {err!r}"
        assert err.count("\n") == 1 and err.startswith("error: "), f"{name}: {err!r}"
        assert expected in err, f"{name}: {err!r}"
        assert "Traceback" not in err and out == ""
    assert snapshot(stored) == before


def test_analysis_json_follows_the_contract_and_schema(tmp_path: Path, cli_model: str) -> None:
    settings = _settings(tmp_path)
    target = tmp_path / "out.json"
    code, out, err = run_cli(
        settings, "analyze", str(SHORT), "--agent", "emma", "--model", cli_model, "--json", str(target), "--no-store"
    )
    assert code == 0, err
    assert "not stored" in out
    data = json.loads(target.read_text())
    jsonschema.validate(data, analysis_json_schema())
    truth = load_truth("en_short")
    assert data["call"]["language"] == "en"
    assert data["call"]["duration_s"] == pytest.approx(truth["duration_s"], abs=0.05)
    speakers = {s["speaker"] for s in data["transcript"]["segments"]}
    assert speakers == {"agent", "customer"}
    assert data["transcript"]["segments"][0]["speaker"] == "agent"  # the agent greets first
    for speaker in ("agent", "customer"):  # recognised, not exact: each speaker's words within a WER bound
        reference = " ".join(t["text"] for t in truth["turns"] if t["speaker"] == speaker)
        hypothesis = " ".join(s["text"] for s in data["transcript"]["segments"] if s["speaker"] == speaker)
        assert word_error_rate(reference=reference, hypothesis=hypothesis, language="en") <= 0.25, speaker
    assert data["metrics"]["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.05)
    assert set(data["metrics"]["speakers"]["agent"]) >= {"talk_time_s", "words_per_minute", "syllables_per_second"}
    assert 0 <= data["checklist"]["score"] <= 100
    assert not Path(settings.db_url.removeprefix("sqlite:///")).exists()  # --no-store touched no database


def test_reanalysing_the_same_file_is_idempotent(stored: Settings, tmp_path: Path, cli_model: str) -> None:
    before = snapshot(stored)
    copy = shutil.copy(SHORT, tmp_path / "renamed-copy.flac")
    code, _, err = run_cli(stored, "analyze", str(copy), "--agent", "emma", "--model", cli_model, "--language", "en")
    assert code == 0, err
    after = snapshot(stored)
    for table in ("calls", "segments", "words", "speech_spans", "analyses"):
        assert len(after[table]) == len(before[table]), table
    stored_files = [p for p in (stored.audio_dir).rglob("*") if p.is_file()]
    assert len(stored_files) == 1


def test_same_recording_for_another_agent_is_refused(stored: Settings, cli_model: str) -> None:
    before = snapshot(stored)
    code, _, err = run_cli(stored, "analyze", str(SHORT), "--agent", "oliver", "--model", cli_model)
    assert code == 1 and "already stored" in err
    assert snapshot(stored) == before


def test_a_failure_while_writing_rolls_everything_back(
    stored: Settings, monkeypatch: pytest.MonkeyPatch, cli_model: str
) -> None:
    import coaching.services.calls as service
    from coaching.errors import StoreError

    before = snapshot(stored)
    real_save = service.save_analysis

    def failing_save(session: Any, analysis: Any, **kwargs: Any) -> None:
        real_save(session, analysis, **kwargs)  # rows are written inside the transaction…
        raise StoreError("disk full (simulated)")  # …then the write fails

    monkeypatch.setattr(service, "save_analysis", failing_save)
    code, _, err = run_cli(stored, "analyze", str(SHORT), "--agent", "emma", "--model", cli_model, "--language", "en")
    assert code == 1 and "disk full" in err
    assert snapshot(stored) == before


def test_english_only_model_refuses_finnish_clearly(tmp_path: Path) -> None:
    code, _, err = run_cli(
        _settings(tmp_path), "analyze", str(SHORT), "--agent", "a", "--model", "tiny.en", "--language", "fi"
    )
    assert code == 1 and "does not handle language 'fi'" in err


def test_models_json_lists_the_packaged_models(tmp_path: Path) -> None:
    code, out, _ = run_cli(_settings(tmp_path), "models", "--json")
    assert code == 0
    models = json.loads(out)
    assert [m["name"] for m in models] == ["base", "tiny.en"]
    assert all(set(m) == {"name", "path", "default", "languages"} for m in models)
    assert models[0]["default"] is True and Path(models[0]["path"], "model.bin").is_file()


def test_committed_schema_file_matches_the_code() -> None:
    committed = json.loads((REPO / "schema" / "analysis.schema.json").read_text())
    assert committed == analysis_json_schema()


def _module_cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COACHING_DATA_DIR": str(env_dir)}
    return subprocess.run(
        [sys.executable, "-m", "coaching", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_process_exit_codes_usage_2_bad_input_1(tmp_path: Path) -> None:
    usage = _module_cli("analyze", str(SHORT), env_dir=tmp_path)  # --agent missing
    assert usage.returncode == 2 and "--agent" in usage.stderr
    bad = _module_cli("analyze", str(tmp_path / "missing.wav"), "--agent", "a", env_dir=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
    bad_setting = subprocess.run(
        [sys.executable, "-m", "coaching", "models"],
        cwd=REPO,
        env={**os.environ, "COACHING_AGENT_CHANNEL": "both"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad_setting.returncode == 1 and "COACHING_AGENT_CHANNEL" in bad_setting.stderr


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """``python -m coaching schema | head -1``: the CLI stops quietly when its output pipe closes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "coaching", "schema"],
        cwd=REPO,
        env={**os.environ, "COACHING_DATA_DIR": str(tmp_path / "data")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the CLI writes anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr

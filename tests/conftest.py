"""Shared fixtures: settings in a temp dir, the speech models under test (loaded once, only where a test asks),
a fake transcriber. Nothing heavy is imported here: the unit tier must not pay for faster-whisper or the models."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from coaching.models import Analysis, Word
from coaching.settings import Settings
from tests.speech_helpers import (
    MODELS_CACHE,
    QUICK_MODEL,
    SAMPLE_MODEL,
    SAMPLES,
    AnalyseSample,
    SpeechModel,
    speech_model,
)

if TYPE_CHECKING:
    from coaching.asr.transcriber import AsrSegment, WhisperTranscriber

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.register_assert_rewrite("tests.app_helpers")  # its checks (assert_ok) explain failures when imported too


MODEL_FIXTURES = frozenset({"sample_transcriber", "english_transcriber", "cli_model", "analyse_sample"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that transcribes with a real model (through a fixture below) is marked ``slow``."""
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture(scope="session")
def sample_model() -> SpeechModel:
    """The model for the full sample calls: the packaged multilingual base, or COACHING_TEST_WHISPER_MODEL."""
    return speech_model(SAMPLE_MODEL)


@pytest.fixture(scope="session")
def quick_model() -> SpeechModel:
    """The model for short English clips and CLI calls: tiny.en, or COACHING_TEST_WHISPER_MODEL."""
    return speech_model(QUICK_MODEL)


def _transcriber(model: SpeechModel) -> WhisperTranscriber:
    from coaching.asr.models import resolve_model
    from coaching.asr.transcriber import WhisperTranscriber

    return WhisperTranscriber(resolve_model(model.name, models_dir=MODELS_CACHE), device="cpu")


@pytest.fixture(scope="session")
def sample_transcriber(sample_model: SpeechModel) -> WhisperTranscriber:
    """The transcriber of :func:`sample_model` (the weights load on first use, once per session)."""
    return _transcriber(sample_model)


@pytest.fixture(scope="session")
def english_transcriber(quick_model: SpeechModel) -> WhisperTranscriber:
    """The transcriber of :func:`quick_model` for English clips; skips when the model under test lacks English."""
    quick_model.require("en")
    return _transcriber(quick_model)


@pytest.fixture(scope="session")
def cli_model(quick_model: SpeechModel) -> str:
    """The ``--model`` value for CLI calls that transcribe the English short clip."""
    quick_model.require("en")
    return quick_model.name


class ScriptedTranscriber:
    """A fake model: returns the given words for whichever channel has speech where they are.

    ``words_by_channel`` maps a channel's RMS signature (left=0/right=1 via a probe) to words; the
    fake decides which channel it was handed by comparing the signal with the reference channels.
    """

    def __init__(self, *, channels: np.ndarray, words_by_channel: Sequence[Sequence[Word]], language: str) -> None:
        self.name = "scripted"
        self.languages = ("fi", "sv", "en")
        self._channels = channels
        self._words = words_by_channel
        self._language = language
        self.calls: list[str] = []

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        self.calls.append("detect")
        return (self._language if self._language in allowed else allowed[0]), 0.9

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        from coaching.asr.transcriber import AsrSegment

        self.calls.append(f"transcribe:{language}")
        index = int(np.argmin([np.abs(samples[: len(c)] - c[: len(samples)]).mean() for c in self._channels]))
        words = tuple(self._words[index])
        if not words:
            return ()
        text = "".join(w.word for w in words).strip()
        return (AsrSegment(words[0].start_s, words[-1].end_s, text, words),)


@pytest.fixture(scope="session")
def analyse_sample(
    sample_model: SpeechModel, sample_transcriber: WhisperTranscriber, tmp_path_factory: pytest.TempPathFactory
) -> AnalyseSample:
    """A function name → Analysis of that sample call with the model under test; each (name, channels) runs once.

    Skips the calling test when the model does not handle the sample's language.
    """
    from audio_samples.truth import load_truth
    from coaching.analysis.pipeline import AnalysisRequest, analyse_call

    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path_factory.mktemp("samples"))})
    cache: dict[tuple[str, str], Analysis] = {}

    def run(name: str, *, channels: str = "left") -> Analysis:
        sample_model.require(load_truth(name)["language"])
        key = (name, channels)
        if key not in cache:
            request = AnalysisRequest(path=SAMPLES / f"{name}.flac", agent_id="demo", channel_mode=channels)  # type: ignore[arg-type]
            cache[key] = analyse_call(request, settings=settings, transcriber=sample_transcriber).analysis
        return cache[key]

    return run

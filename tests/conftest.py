"""Shared fixtures: settings in a temp dir, packaged models loaded once, a fake transcriber."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from coaching.asr.models import resolve_model
from coaching.asr.transcriber import AsrSegment, WhisperTranscriber
from coaching.models import Analysis, Word
from coaching.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODELS_CACHE = Path(__file__).resolve().parent.parent / "data" / "models"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture(scope="session")
def base_transcriber() -> WhisperTranscriber:
    """The packaged multilingual base model (assembled once into data/models)."""
    return WhisperTranscriber(resolve_model("base", models_dir=MODELS_CACHE), device="cpu")


@pytest.fixture(scope="session")
def tiny_en_transcriber() -> WhisperTranscriber:
    return WhisperTranscriber(resolve_model("tiny.en", models_dir=MODELS_CACHE), device="cpu")


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
        self.calls.append(f"transcribe:{language}")
        index = int(np.argmin([np.abs(samples[: len(c)] - c[: len(samples)]).mean() for c in self._channels]))
        words = tuple(self._words[index])
        if not words:
            return ()
        text = "".join(w.word for w in words).strip()
        return (AsrSegment(words[0].start_s, words[-1].end_s, text, words),)


SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"


AnalyseSample = Callable[..., Analysis]


@pytest.fixture(scope="session")
def analyse_sample(base_transcriber: WhisperTranscriber, tmp_path_factory: pytest.TempPathFactory) -> AnalyseSample:
    """A function name → Analysis of that sample call with the packaged base model; each sample runs once."""
    from coaching.analysis.pipeline import AnalysisRequest, analyse_call

    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path_factory.mktemp("samples"))})
    cache: dict[tuple[str, str], Analysis] = {}

    def run(name: str, *, channels: str = "left") -> Analysis:
        key = (name, channels)
        if key not in cache:
            request = AnalysisRequest(path=SAMPLES / f"{name}.flac", agent_id="demo", channel_mode=channels)  # type: ignore[arg-type]
            cache[key] = analyse_call(request, settings=settings, transcriber=base_transcriber).analysis
        return cache[key]

    return run

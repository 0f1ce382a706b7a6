"""Which Whisper model the transcribing tests use, and the sample calls they transcribe.

By default the full sample calls go through the packaged multilingual ``base`` model and the short clips and CLI
calls through the quick English ``tiny.en``. Setting ``COACHING_TEST_WHISPER_MODEL`` (a name such as ``tiny.en``
or ``small``, or a model directory) makes every transcribing test use that model instead; a test whose language
the model does not handle skips and says why. So the assertions must hold for any reasonable model: margins and
properties, never one model's exact words.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from coaching.models import Analysis

REPO = Path(__file__).resolve().parent.parent
MODELS_CACHE = REPO / "data" / "models"
SAMPLES = REPO / "audio_samples"
TEST_MODEL_VARIABLE = "COACHING_TEST_WHISPER_MODEL"
SAMPLE_MODEL = "base"  # the packaged default: every language of the sample calls
QUICK_MODEL = "tiny.en"  # short English clips and CLI calls

AnalyseSample = Callable[..., "Analysis"]  # the analyse_sample fixture: (name, *, channels="left") -> Analysis


def chosen_model(default: str) -> str:
    """The model a transcribing test uses: ``COACHING_TEST_WHISPER_MODEL`` when set, else ``default``."""
    return os.environ.get(TEST_MODEL_VARIABLE, "").strip() or default


@dataclass(frozen=True)
class SpeechModel:
    """A model under test: the value ``--model`` and ``resolve_model`` take, and the languages it handles."""

    name: str
    languages: tuple[str, ...]

    def require(self, language: str) -> None:
        """Skip the calling test when this model does not handle ``language``."""
        if language not in self.languages:
            handled = ", ".join(self.languages)
            pytest.skip(f"speech model {self.name!r} handles {handled} only, not {language!r} ({TEST_MODEL_VARIABLE})")


def speech_model(default: str) -> SpeechModel:
    """The chosen model (see :func:`chosen_model`) with its languages; the weights are not loaded here."""
    from coaching.asr.models import resolve_model

    name = chosen_model(default)
    return SpeechModel(name=name, languages=resolve_model(name, models_dir=MODELS_CACHE).languages)

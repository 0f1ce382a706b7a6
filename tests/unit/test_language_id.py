"""Language identification among the allowed languages: confident answers taken, unsure ones decided by decoding,
and a decoding that loops never wins (the espeak Finnish channel that became Swedish "mat, mat, mat, ...")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from coaching.asr.language_id import DECODE_CHECK_MAX_TOKENS, identify_language


@dataclass
class _Segment:
    text: str
    avg_logprob: float
    compression_ratio: float


class _Model:
    """A faster-whisper model stand-in: fixed identification probabilities and one decoding per language."""

    def __init__(self, probabilities: list[tuple[str, float]], decodings: dict[str, list[_Segment]]) -> None:
        self.probabilities, self.decodings = probabilities, decodings
        self.decoded: list[dict[str, Any]] = []

    @staticmethod
    def feature_extractor(audio: np.ndarray) -> np.ndarray:
        return np.zeros((80, audio.size // 160 + 1), dtype=np.float32)

    def detect_language(self, **_: Any) -> tuple[str, float, list[tuple[str, float]]]:
        return self.probabilities[0][0], self.probabilities[0][1], self.probabilities

    def transcribe(self, audio: np.ndarray, **kwargs: Any) -> tuple[Any, None]:
        self.decoded.append({"samples": audio.size, **kwargs})
        return iter(self.decodings[kwargs["language"]]), None


SPEECH = np.zeros(16_000 * 40, dtype=np.float32)
CHECK = SPEECH[: 16_000 * 30]


def test_a_confident_allowed_language_is_taken_without_decoding() -> None:
    model = _Model([("fi", 0.93), ("et", 0.05), ("sv", 0.006), ("en", 0.001)], {})
    language, probability = identify_language(model, speech=SPEECH, check_speech=CHECK, candidates=("fi", "sv", "en"))
    assert language == "fi"
    assert probability == pytest.approx(0.93 / 0.937)
    assert model.decoded == []


def test_unsure_identification_is_decided_by_the_most_probable_decoding() -> None:
    decodings = {
        "fi": [_Segment("Kultaa", -1.2, 1.1)],
        "sv": [_Segment("Hej, jag heter", -1.0, 1.0), _Segment("och jag", -1.1, 1.0)],
        "en": [_Segment("I will not", -1.8, 0.7)],
    }
    model = _Model([("la", 0.53), ("en", 0.13), ("fi", 0.005), ("sv", 0.001)], decodings)
    language, probability = identify_language(model, speech=SPEECH, check_speech=CHECK, candidates=("fi", "sv", "en"))
    assert language == "sv"
    assert 0.5 < probability < 1.0
    assert sorted(d["language"] for d in model.decoded) == ["en", "fi", "sv"]  # decoded side by side
    assert all(d["samples"] == CHECK.size and d["beam_size"] == 1 for d in model.decoded)
    assert all(d["max_new_tokens"] == DECODE_CHECK_MAX_TOKENS for d in model.decoded)


def test_a_looping_decoding_loses_however_probable() -> None:
    decodings = {
        "fi": [_Segment("Pai maa, misään on kyse.", -0.91, 1.45)],
        "sv": [_Segment("Pajma, mat, mat, mat, mat, mat, mat, mat", -0.21, 10.1)],
        "en": [_Segment("I'm a miss.", -1.82, 0.6)],
    }
    model = _Model([("fi", 0.385), ("et", 0.32), ("sv", 0.014), ("en", 0.003)], decodings)
    language, _ = identify_language(model, speech=SPEECH, check_speech=CHECK, candidates=("fi", "sv", "en"))
    assert language == "fi"


def test_no_decoding_at_all_is_the_least_probable() -> None:
    decodings: dict[str, list[_Segment]] = {"fi": [], "sv": [_Segment("Hej", -2.5, 0.8)]}
    model = _Model([("la", 0.9), ("fi", 0.01), ("sv", 0.01)], decodings)
    assert identify_language(model, speech=SPEECH, check_speech=CHECK, candidates=("fi", "sv"))[0] == "sv"

"""Choosing a call's language: fixed languages are never detected, detections below the threshold and channels
that disagree are flagged, and the choice survives the analysis JSON (schema-valid)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from coaching.analysis.language_json import language_check_from, language_fields
from coaching.analysis.languages import (
    LOW_LANGUAGE_PROBABILITY,
    MIN_CHANNEL_SPEECH_S,
    language_doubt,
    language_flags,
    pick_language,
    with_source,
)
from coaching.models import ChannelLanguage, LanguageCheck

CANDIDATES = ("fi", "sv", "en")


class ChannelDetector:
    """A fake model that tells channels apart by their constant level and answers each with its own detection."""

    name = "fake"
    languages = CANDIDATES

    def __init__(self, by_level: dict[float, tuple[str, float]]) -> None:
        self.by_level = by_level
        self.asked: list[float] = []

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        level = round(float(samples[0]), 2)
        self.asked.append(level)
        return self.by_level[level]


def _signal(level: float) -> np.ndarray:
    return np.full(1600, level, dtype=np.float32)


def test_a_fixed_language_is_taken_without_detection() -> None:
    model = ChannelDetector({})
    check = pick_language("sv", model, [("agent", _signal(0.1), 30.0)])  # type: ignore[arg-type]
    assert (check.language, check.source, check.probability, check.flags) == ("sv", "forced", None, ())
    assert model.asked == []


@pytest.mark.parametrize(
    ("probability", "flagged"),
    [(0.60, True), (LOW_LANGUAGE_PROBABILITY - 0.01, True), (LOW_LANGUAGE_PROBABILITY, False), (0.99, False)],
)
def test_a_detection_under_the_threshold_is_flagged(probability: float, flagged: bool) -> None:
    model = ChannelDetector({0.1: ("en", probability)})
    check = pick_language(CANDIDATES, model, [("agent", _signal(0.1), 30.0)])  # type: ignore[arg-type]
    assert check.source == "detected" and check.language == "en" and check.probability == probability
    assert check.flagged is flagged and (("low_probability" in check.flags) is flagged)
    assert check.channels == ()  # one signal: nothing to compare


def test_the_known_fault_is_flagged() -> None:
    """A Swedish call at 92 % volume detected as English with p 0.60 (issue 11) must not pass silently."""
    assert language_flags(0.60, []) == ("low_probability",)


def test_stereo_channels_are_detected_each_and_disagreement_is_flagged() -> None:
    model = ChannelDetector({0.1: ("sv", 0.97), 0.2: ("en", 0.95)})
    channels = [("agent", _signal(0.1), 40.0), ("customer", _signal(0.2), 20.0)]
    check = pick_language(CANDIDATES, model, channels)  # type: ignore[arg-type]
    assert sorted(model.asked) == [0.1, 0.2]
    assert check.language == "sv" and check.probability == 0.97  # the channel with the most speech decides
    assert check.flags == ("channels_disagree",)
    assert {(c.speaker, c.language) for c in check.channels} == {("agent", "sv"), ("customer", "en")}
    assert "different languages" in language_doubt(check)


def test_channels_that_agree_are_not_flagged_and_the_longer_one_decides() -> None:
    model = ChannelDetector({0.1: ("fi", 0.91), 0.2: ("fi", 0.99)})
    channels = [("agent", _signal(0.1), 10.0), ("customer", _signal(0.2), 50.0)]
    check = pick_language(CANDIDATES, model, channels)  # type: ignore[arg-type]
    assert check.flags == () and check.probability == 0.99 and len(check.channels) == 2
    assert language_doubt(check) == ""


def test_a_channel_with_too_little_speech_is_not_asked() -> None:
    model = ChannelDetector({0.1: ("sv", 0.95), 0.2: ("en", 0.99)})
    channels = [("agent", _signal(0.1), 30.0), ("customer", _signal(0.2), MIN_CHANNEL_SPEECH_S / 2)]
    check = pick_language(CANDIDATES, model, channels)  # type: ignore[arg-type]
    assert model.asked == [0.1] and check.flags == ()


def test_with_no_channel_long_enough_the_longest_is_asked() -> None:
    model = ChannelDetector({0.1: ("sv", 0.95), 0.2: ("en", 0.99)})
    short = MIN_CHANNEL_SPEECH_S / 3
    channels = [("agent", _signal(0.1), short), ("customer", _signal(0.2), short * 2)]
    check = pick_language(CANDIDATES, model, channels)  # type: ignore[arg-type]
    assert model.asked == [0.2] and check.language == "en"


def test_a_fixed_language_names_the_default_it_came_from() -> None:
    fixed = LanguageCheck(language="sv", source="forced")
    assert with_source(fixed, "agent_default") == LanguageCheck(language="sv", source="agent_default")
    assert with_source(fixed, None) == fixed
    detected = LanguageCheck(language="en", source="detected", probability=0.6, flags=("low_probability",))
    assert with_source(detected, "team_default") == detected


def test_the_json_fields_round_trip() -> None:
    check = LanguageCheck(
        language="sv",
        source="detected",
        probability=0.61,
        channels=(ChannelLanguage("agent", "sv", 0.61), ChannelLanguage("customer", "en", 0.9)),
        flags=("low_probability", "channels_disagree"),
    )
    fields = language_fields(check)
    assert fields["language_flagged"] is True and fields["language_source"] == "detected"
    call = {"language": "sv", "language_probability": 0.61, **fields}
    assert language_check_from(call) == check
    assert language_fields(None) == {
        "language_source": None,
        "language_flagged": False,
        "language_flags": [],
        "language_channels": [],
    }
    assert language_check_from({"language": "fi"}) is None  # JSON written before these fields

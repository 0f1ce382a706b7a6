"""Norm bands per language, overrides, and the status/why of each check."""

from __future__ import annotations

import pytest

from coaching.errors import LanguageDataError
from coaching.metrics.compute import compute_metrics
from coaching.metrics.norms import Norms
from tests.unit.test_metrics import make_transcript, seg


@pytest.mark.parametrize(("language", "low", "high"), [("fi", 70, 140), ("en", 125, 150), ("sv", 100, 145)])
def test_defaults_follow_the_coaching_model(language: str, low: float, high: float) -> None:
    norms = Norms.load(language)
    assert (norms.bands["agent_words_per_minute"].low, norms.bands["agent_words_per_minute"].high) == (low, high)
    assert (norms.bands["talk_ratio_agent"].low, norms.bands["talk_ratio_agent"].high) == (0.40, 0.60)
    assert norms.bands["longest_silence_s"].high == 10
    assert (norms.params.silence_list_s, norms.params.silence_flag_s) == (5.0, 10.0)
    assert norms.params.articulation_min_words == 8


@pytest.mark.parametrize(
    ("value", "status", "phrase"),
    [
        (0.72, "above", "72 % is above the norm (40–60 %)"),
        (0.35, "below", "35 % is below"),
        (0.5, "within", "50 % is within"),
        (None, "unknown", "not measured"),
    ],
)
def test_check_gives_status_and_why(value: float | None, status: str, phrase: str) -> None:
    check = Norms.load("en").check("talk_ratio_agent", value)
    assert check.status == status and phrase in check.why
    assert (check.low, check.high, check.value) == (0.40, 0.60, value)


def test_values_show_as_many_decimals_as_they_need() -> None:
    assert "rate 1.3 is above the norm (0.8–1.25)" in Norms.load("en").check("rate_matching", 1.3).why
    assert "rate 3.57 syll/s is within" in Norms.load("en").check("agent_articulation_rate_sps", 3.567).why


def test_one_sided_band() -> None:
    check = Norms.load("fi").check("longest_silence_s", 12.3)
    assert check.status == "above" and "12.3 s is above the norm (at most 10 s)" in check.why
    assert Norms.load("fi").check("longest_silence_s", 0.0).status == "within"


def test_overrides_change_bands_and_parameters_and_reach_the_metrics() -> None:
    norms = Norms.load(
        "en", overrides={"bands": {"talk_ratio_agent": {"high": 0.8}}, "parameters": {"silence_list_s": 1.0}}
    )
    assert norms.bands["talk_ratio_agent"].low == 0.40  # untouched side kept
    t = make_transcript([seg("agent", 0.0, 7.0, "hello there"), seg("customer", 9.0, 12.0, "hi")])
    m = compute_metrics(transcript=t, norms=norms)
    assert m.talk_ratio_agent == pytest.approx(0.7)
    assert m.norms["talk_ratio_agent"].status == "within"
    assert [(g.start_s, g.end_s) for g in m.silences] == [(7.0, 9.0)]  # 2 s gap listed with the 1 s threshold
    assert Norms.load("en").bands["talk_ratio_agent"].high == 0.60  # the cached defaults are unchanged


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bands": {"nope": {"low": 1}}}, "'nope'"),
        ({"bands": {"talk_ratio_agent": {"low": 0.9}}}, "low 0.9 is above high 0.6"),
        ({"bands": {"talk_ratio_agent": {"high": "lots"}}}, "'lots'"),
        ({"parameters": {"silence_list_s": -1}}, "-1"),
        ({"parameters": {"trajectory_bins": 4}}, "multiple of 3, got 4"),
        ({"parameters": {"speed": 1}}, "'speed'"),
        ({"thresholds": {}}, "thresholds"),
    ],
)
def test_bad_overrides_are_refused_with_the_value(overrides: dict, message: str) -> None:
    with pytest.raises(LanguageDataError, match=message):
        Norms.load("fi", overrides=overrides)


def test_unknown_metric_and_language_are_refused() -> None:
    with pytest.raises(LanguageDataError, match="'speed'"):
        Norms.load("fi").check("speed", 1.0)
    with pytest.raises(LanguageDataError, match="'no'"):
        Norms.load("no")

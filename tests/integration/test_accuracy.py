"""Transcription accuracy and talk ratio on the sample calls, with the default packaged base model."""

from __future__ import annotations

import pytest

from audio_samples.truth import load_truth
from coaching.analysis.evaluation import ErrorRates, speaker_error_rates
from coaching.models import Analysis
from tests.conftest import AnalyseSample


def _rates(analysis: Analysis, truth: dict) -> dict[str, ErrorRates]:
    return speaker_error_rates(turns=truth["turns"], transcript=analysis.transcript, language=truth["language"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["en_good", "en_poor"])
def test_english_samples_wer_at_most_15_percent_and_talk_ratio_within_3_pp(
    analyse_sample: AnalyseSample, name: str
) -> None:
    analysis = analyse_sample(name)
    truth = load_truth(name)
    assert analysis.call.language == "en"  # detected among fi, sv, en
    for speaker, rates in _rates(analysis, truth).items():
        print(f"{name} {speaker}: WER {rates.wer:.3f}")
        assert rates.wer <= 0.15, f"{name} {speaker}: WER {rates.wer:.3f}"
    assert analysis.metrics["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.03)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fi_good", "sv_good"])
def test_finnish_and_swedish_are_detected_and_cer_is_measured(analyse_sample: AnalyseSample, name: str) -> None:
    analysis = analyse_sample(name)
    truth = load_truth(name)
    assert analysis.call.language == truth["language"]
    cer = _rates(analysis, truth)["all"].cer
    print(f"{name}: CER {cer:.3f} (base model; use small or larger for real Finnish/Swedish calls)")
    assert cer <= 0.35, f"CER {cer:.3f} is worse than the base model's known level"
    assert analysis.metrics["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.03)


@pytest.mark.slow
def test_right_channel_setting_swaps_agent_and_customer(analyse_sample: AnalyseSample) -> None:
    left, right = analyse_sample("en_good"), analyse_sample("en_good", channels="right")
    assert right.metrics["talk_ratio_agent"] == pytest.approx(1 - left.metrics["talk_ratio_agent"], abs=0.01)
    assert right.transcript.segments_of("customer")[0].text == left.transcript.segments_of("agent")[0].text


@pytest.mark.slow
def test_mono_mixdown_is_diarized_and_the_greeting_speaker_is_the_agent(analyse_sample: AnalyseSample) -> None:
    analysis = analyse_sample("en_good", channels="mono")
    truth = load_truth("en_good")
    assert analysis.call.channel_mode == "mono"
    assert analysis.transcript.diarization_confidence is not None
    assert analysis.metrics["diarization_confidence"] == analysis.transcript.diarization_confidence
    assert analysis.transcript.segments[0].speaker == "agent"
    assert _rates(analysis, truth)["agent"].wer <= 0.3
    assert analysis.metrics["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.08)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_good_call_scores_at_least_20_points_above_the_poor_one_end_to_end(
    analyse_sample: AnalyseSample, language: str
) -> None:
    good, poor = analyse_sample(f"{language}_good"), analyse_sample(f"{language}_poor")
    good_score, poor_score = good.checklist["score"], poor.checklist["score"]
    print(f"{language}: good {good_score:.0f}, poor {poor_score:.0f} (recognised speech, base model)")
    assert good_score >= poor_score + 20
    poor_items = {item["id"]: item for item in poor.checklist["items"]}
    assert poor_items["no_blame"]["passed"] is False and poor_items["no_blame"]["evidence"]
    assert poor_items["respect_time"]["passed"] is False  # the 11 s dead air in every poor call

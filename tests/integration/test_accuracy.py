"""Transcription accuracy, talk ratio and the checklist end to end on the sample calls.

The model is the packaged base unless COACHING_TEST_WHISPER_MODEL names another (a sample in a language the model
does not handle skips). Recognised words differ between models and machines, so every assertion is a bound with
headroom or a property of the result (figures measured on base and tiny.en are in the comments), never exact words
or the outcome of one word-based checklist item; the checklist's verdicts on exact words are tested on fixed
transcripts (tests/unit/test_checklist_*, tests/integration/test_checklist_samples.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from audio_samples.truth import load_truth
from coaching.analysis.evaluation import ErrorRates, speaker_error_rates, word_error_rate
from coaching.checklist.text import tokenize
from coaching.checklist.types import ChecklistResult
from coaching.models import Analysis, Speaker, Transcript
from tests.speech_helpers import AnalyseSample

pytestmark = pytest.mark.slow
METRIC_ITEMS = ("respect_time", "balance")  # judged on speech spans and silences (audio), not on words


def _rates(analysis: Analysis, truth: dict[str, Any]) -> dict[str, ErrorRates]:
    return speaker_error_rates(turns=truth["turns"], transcript=analysis.transcript, language=truth["language"])


@pytest.mark.parametrize("name", ["en_good", "en_poor"])
def test_english_samples_wer_at_most_15_percent_and_talk_ratio_within_3_pp(
    analyse_sample: AnalyseSample, name: str
) -> None:
    analysis = analyse_sample(name)  # measured: WER at most 0.03 per speaker (base and tiny.en)
    truth = load_truth(name)
    assert analysis.call.language == "en"  # detected among the model's languages of fi, sv, en
    for speaker, rates in _rates(analysis, truth).items():
        print(f"{name} {speaker}: WER {rates.wer:.3f}")
        assert rates.wer <= 0.15, f"{name} {speaker}: WER {rates.wer:.3f}"
    assert analysis.metrics.talk_ratio_agent == pytest.approx(truth["talk_ratio_agent"], abs=0.03)


@pytest.mark.parametrize("name", ["fi_good", "sv_good"])
def test_finnish_and_swedish_are_detected_and_cer_is_measured(analyse_sample: AnalyseSample, name: str) -> None:
    analysis = analyse_sample(name)  # measured with base: CER 0.185 (fi), 0.208 (sv)
    truth = load_truth(name)
    assert analysis.call.language == truth["language"]
    cer = _rates(analysis, truth)["all"].cer
    print(f"{name}: CER {cer:.3f} ({analysis.call.model_name}; use small or larger for real Finnish/Swedish calls)")
    assert cer <= 0.35, f"CER {cer:.3f} is worse than the base model's known level"
    assert analysis.metrics.talk_ratio_agent == pytest.approx(truth["talk_ratio_agent"], abs=0.03)


def test_right_channel_setting_swaps_agent_and_customer(analyse_sample: AnalyseSample) -> None:
    left, right = analyse_sample("en_good"), analyse_sample("en_good", channels="right")
    assert left.metrics.talk_ratio_agent is not None
    assert right.metrics.talk_ratio_agent == pytest.approx(1 - left.metrics.talk_ratio_agent, abs=0.01)
    # the same channel goes through the same model either way: each role's words move over whole
    roles: tuple[tuple[Speaker, Speaker], ...] = (("agent", "customer"), ("customer", "agent"))
    for left_role, right_role in roles:
        assert _spoken(right.transcript, right_role) == _spoken(left.transcript, left_role), left_role


def _spoken(transcript: Transcript, speaker: Speaker) -> str:
    return " ".join(s.text for s in transcript.segments_of(speaker))


def test_mono_mixdown_is_diarized_and_the_greeting_speaker_is_the_agent(analyse_sample: AnalyseSample) -> None:
    analysis = analyse_sample("en_good", channels="mono")  # measured: agent WER 0.05 (base), 0.03 (tiny.en)
    truth = load_truth("en_good")
    assert analysis.call.channel_mode == "mono"
    assert analysis.transcript.diarization_confidence is not None
    assert analysis.metrics.diarization_confidence == analysis.transcript.diarization_confidence
    assert analysis.transcript.segments[0].speaker == "agent"
    assert _rates(analysis, truth)["agent"].wer <= 0.3
    assert analysis.metrics.talk_ratio_agent == pytest.approx(truth["talk_ratio_agent"], abs=0.08)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_good_call_scores_at_least_20_points_above_the_poor_one_end_to_end(
    analyse_sample: AnalyseSample, language: str
) -> None:
    good, poor = analyse_sample(f"{language}_good"), analyse_sample(f"{language}_poor")
    good_score, poor_score = good.checklist.score, poor.checklist.score
    assert good_score is not None and poor_score is not None
    # measured with base: fi 78 / 15, sv 70 / 0, en 100 / 0 (tiny.en: en 100 / 0); since the uncertainty of issue 11,
    # sv 100 / 67: 7 of sv_poor's 12 items are uncertain (low-probability words), so 4 items make its score
    print(f"{language}: good {good_score:.0f}, poor {poor_score:.0f} (recognised speech, {good.call.model_name})")
    assert good_score >= poor_score + 20
    # the metric items read the audio, which recognition cannot change: every good call has balanced talk and no
    # dead air (talk ratio 0.50 ± 0.03), every poor call an 11 s dead air and an agent talking 0.67 ± 0.03
    for item_id in METRIC_ITEMS:
        assert good.checklist.item(item_id).passed is True, item_id
        assert poor.checklist.item(item_id).passed is False, item_id
    # where the checklist points, the recognised words are: each quote is a run of the call's words at their times
    for analysis in (good, poor):
        _assert_evidence_quotes_recognised_words(analysis.transcript, analysis.checklist)
    # and it says why: every failed item of the poor call carries evidence or a reason
    for item in poor.checklist.items:
        if item.passed is False:
            assert item.evidence or item.reason, item.id


def _assert_evidence_quotes_recognised_words(transcript: Transcript, result: ChecklistResult) -> None:
    # a segment holding only words the hallucination guard marked is no evidence (coaching.checklist.turns), so a
    # sentence's quote runs over it: leave such segments out of the run the quote must equal
    words = {
        s: [
            w
            for seg in transcript.segments_of(s)
            if any(tokenize(w.word) for w in seg.words if not w.suspect)
            for w in seg.words
        ]
        for s in ("agent", "customer")
    }
    for item in result.items:
        for ev in item.evidence:
            if ev.role == "gap" or ev.speaker is None:
                continue
            run = [w for w in words[ev.speaker] if ev.start_s - 1e-3 <= w.start_s and w.end_s <= ev.end_s + 1e-3]
            assert run, (item.id, ev)
            assert run[0].start_s == pytest.approx(ev.start_s, abs=1e-3), (item.id, ev)
            assert run[-1].end_s == pytest.approx(ev.end_s, abs=1e-3), (item.id, ev)
            spoken = " ".join(w.word.strip() for w in run)
            assert word_error_rate(reference=spoken, hypothesis=ev.quote, language=transcript.language) == 0.0, (
                item.id,
                ev.quote,
                spoken,
            )

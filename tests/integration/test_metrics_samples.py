"""Metrics of the sample calls against their ground truth: speech spans from the real audio (VAD per channel),
words from the truth transcript. Skips when the sample files are missing."""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import jsonschema
import numpy as np
import pytest

from audio_samples.truth import SAMPLE_NAMES, audio_path, load_truth, truth_transcript
from coaching.metrics.compute import SpeakerSignals, compute_metrics, metrics_json_schema
from coaching.models import SPEAKERS, SpeechSpan
from coaching.speakers.vad import speech_spans_from_vad

CALLS = [n for n in SAMPLE_NAMES if n != "en_short"]


def _audio(name: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    path = audio_path(name)
    if not path.is_file() or not path.with_suffix(".json").is_file():
        pytest.skip(f"sample call {path.name} or its ground truth is missing (run audio_samples/make_samples.py)")
    samples, rate = sf.read(path, dtype="float32")
    return np.ascontiguousarray(samples.T), int(rate)


@cache
def stereo_metrics(name: str) -> dict[str, Any]:
    """Metrics of sample ``name`` as the pipeline computes them for a stereo call."""
    samples, rate = _audio(name)
    spans = [
        SpeechSpan(speaker=speaker, start_s=a, end_s=b)
        for channel, speaker in enumerate(SPEAKERS)
        for a, b in speech_spans_from_vad(samples=samples[channel], sample_rate_hz=rate)
    ]
    transcript = dataclasses.replace(
        truth_transcript(name), speech_spans=tuple(sorted(spans, key=lambda s: (s.start_s, s.end_s)))
    )
    signals = SpeakerSignals(sample_rate_hz=rate, agent=samples[0], customer=samples[1])
    return compute_metrics(transcript=transcript, signals=signals).to_dict()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_talk_ratio_within_3_points_and_wpm_within_10_percent(name: str) -> None:
    m, truth = stereo_metrics(name), load_truth(name)
    assert m["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.03)
    assert m["speakers"]["agent"]["words_per_minute"] == pytest.approx(truth["agent_words_per_minute"], rel=0.10)
    for speaker in ("agent", "customer"):
        assert m["speakers"][speaker]["words"] == truth["word_count"][speaker]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_longest_monologue_and_story_within_half_a_second(name: str) -> None:
    m, truth = stereo_metrics(name), load_truth(name)
    assert m["longest_agent_monologue"]["duration_s"] == pytest.approx(truth["longest_agent_monologue_s"], abs=0.5)
    assert m["longest_customer_story"]["duration_s"] == pytest.approx(truth["longest_customer_story_s"], abs=0.5)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_silences_match_within_half_a_second(name: str) -> None:
    m, truth = stereo_metrics(name), load_truth(name)
    assert len(m["silences"]) == len(truth["silences_over_5s"])
    for got, want in zip(m["silences"], truth["silences_over_5s"], strict=True):
        assert got["start_s"] == pytest.approx(want["start_s"], abs=0.5)
        assert got["end_s"] == pytest.approx(want["end_s"], abs=0.5)
        assert got["flagged"] == (want["end_s"] - want["start_s"] > 10)


@pytest.mark.parametrize("name", CALLS)
def test_overlaps_are_one_backchannel_in_good_calls_and_one_interruption_in_poor(name: str) -> None:
    m, truth = stereo_metrics(name), load_truth(name)
    (overlap,) = truth["overlaps"]
    assert m["overtalk"]["count"] == 1
    assert m["overtalk"]["events"][0]["start_s"] == pytest.approx(overlap["start_s"], abs=0.3)
    cut_ins = m["interruptions"]
    if truth["quality"] == "good":  # the customer's "Joo." / "Ja." / "Yes." inside the agent's turn
        assert (cut_ins["count"], cut_ins["customer_backchannels"], cut_ins["by_customer_count"]) == (0, 1, 0)
    else:  # the agent cuts in 1.0 s before the customer finishes
        assert cut_ins["count"] == 1
        assert cut_ins["events"][0]["start_s"] == pytest.approx(overlap["start_s"], abs=0.3)
        assert cut_ins["events"][0]["overlap_s"] == pytest.approx(1.0, abs=0.3)


@pytest.mark.parametrize("name", CALLS)
def test_norm_statuses_tell_good_from_poor(name: str) -> None:
    m, good = stereo_metrics(name), load_truth(name)["quality"] == "good"
    status = {k: v["status"] for k, v in m["norms"].items()}
    assert status["talk_ratio_agent"] == ("within" if good else "above")
    assert status["longest_silence_s"] == ("within" if good else "above")
    assert status["agent_interruptions"] == ("within" if good else "above")
    assert m["customer_trajectory"]["direction"] == ("improved" if good else "no_evidence")
    assert status["customer_balance_change"] == ("within" if good else "unknown")
    assert m["questions"]["open_count"] >= (3 if good else 1)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_voice_delivery_and_schema(name: str) -> None:
    m, voices = stereo_metrics(name), load_truth(name)["voices"]
    agent, customer = m["speakers"]["agent"]["delivery"], m["speakers"]["customer"]["delivery"]
    assert voices["agent"]["pitch"] > voices["customer"]["pitch"]  # espeak -p: the agent voices are set higher
    # espeak -p raises the pitch: the agent voice was set higher, so its median must be clearly above
    assert 12 * math.log2(agent["pitch_median_hz"] / customer["pitch_median_hz"]) > 1.5
    assert 2 < agent["pitch_range_st"] < 12
    assert -36 < agent["loudness_median_dbfs"] < 0  # peak-normalised espeak voices: -17 to -31 dBFS
    jsonschema.validate(m, metrics_json_schema())


def test_mono_call_from_diarized_turns_gives_the_same_metrics_with_confidence() -> None:
    samples, rate = _audio("fi_poor")
    truth = load_truth("fi_poor")
    mono = (samples[0] + samples[1]) / 2
    diarized = dataclasses.replace(truth_transcript("fi_poor"), channel_mode="mono", diarization_confidence=0.87)
    m = compute_metrics(
        transcript=diarized, signals=SpeakerSignals(sample_rate_hz=rate, agent=mono, customer=mono)
    ).to_dict()
    stereo = stereo_metrics("fi_poor")
    assert m["diarization_confidence"] == 0.87 and stereo["diarization_confidence"] is None
    assert m["talk_ratio_agent"] == pytest.approx(truth["talk_ratio_agent"], abs=0.002)  # spans = diarized turns
    assert m["talk_ratio_agent"] == pytest.approx(stereo["talk_ratio_agent"], abs=0.03)
    assert m["speakers"]["agent"]["words_per_minute"] == pytest.approx(truth["agent_words_per_minute"], rel=0.01)
    assert m["longest_agent_monologue"]["duration_s"] == pytest.approx(truth["longest_agent_monologue_s"], abs=0.01)
    assert [(g["start_s"], g["end_s"]) for g in m["silences"]] == [
        (pytest.approx(s["start_s"], abs=0.01), pytest.approx(s["end_s"], abs=0.01)) for s in truth["silences_over_5s"]
    ]
    assert m["interruptions"]["count"] == stereo["interruptions"]["count"] == 1
    agent_pitch = m["speakers"]["agent"]["delivery"]["pitch_median_hz"]
    assert agent_pitch == pytest.approx(stereo["speakers"]["agent"]["delivery"]["pitch_median_hz"], rel=0.05)

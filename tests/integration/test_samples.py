"""The synthetic sample calls: ground truth agrees with the audio and with the brief."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from audio_samples.truth import SAMPLE_NAMES, audio_path, load_truth, truth_transcript
from coaching.errors import NotFoundError
from coaching.models import spread_words

CALLS = [n for n in SAMPLE_NAMES if n != "en_short"]
POOR = [n for n in CALLS if n.endswith("_poor")]
GOOD = [n for n in CALLS if n.endswith("_good")]
SILENT = 1e-3  # digital silence survives FLAC; speech peaks are ~0.4
FRAME_S = 0.01


@cache
def stereo(name: str) -> tuple[np.ndarray, int]:
    """(2, n) float32 samples and the rate."""
    data, rate_hz = sf.read(audio_path(name), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(rate_hz)


def turns_of(truth: dict[str, Any], speaker: str) -> list[tuple[float, float]]:
    return [(t["start_s"], t["end_s"]) for t in truth["turns"] if t["speaker"] == speaker]


def frame_activity(channel: np.ndarray, rate_hz: int) -> np.ndarray:
    """True for each 10 ms frame holding any non-silent sample."""
    hop = int(FRAME_S * rate_hz)
    n = channel.size // hop
    return np.asarray(np.abs(channel[: n * hop]).reshape(n, hop).max(axis=1) > SILENT)


def longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for value in mask:
        run = run + 1 if value else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_file_format_and_duration(name: str) -> None:
    truth = load_truth(name)
    info = sf.info(str(audio_path(name)))
    assert (info.channels, info.samplerate, info.format) == (2, 16000, "FLAC")
    assert truth["sample_rate_hz"] == 16000 and truth["agent_channel"] == "left"
    assert abs(info.frames / info.samplerate - truth["duration_s"]) < 1e-3
    assert truth["turns"][-1]["end_s"] <= truth["duration_s"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_each_turn_is_on_its_own_channel(name: str) -> None:
    truth = load_truth(name)
    audio, rate_hz = stereo(name)
    for turn in truth["turns"]:
        own, other = (0, 1) if turn["speaker"] == "agent" else (1, 0)
        other_speaker = "customer" if own == 0 else "agent"
        a, b = round(turn["start_s"] * rate_hz), round(turn["end_s"] * rate_hz)
        span = audio[own, a:b]
        assert np.sqrt(np.mean(span**2)) > 0.02, turn
        edge = int(0.02 * rate_hz)  # trimmed tightly: sound right at both edges, silence just outside
        assert np.abs(span[:edge]).max() > SILENT and np.abs(span[-edge:]).max() > SILENT, turn
        assert np.abs(audio[own, max(0, a - edge) : a]).max(initial=0.0) < SILENT, turn
        assert np.abs(audio[own, b : b + edge]).max(initial=0.0) < SILENT, turn
        quiet = np.ones(b - a, dtype=bool)
        for s, e in turns_of(truth, other_speaker):
            quiet[max(0, round(s * rate_hz) - a) : max(0, round(e * rate_hz) - a)] = False
        assert np.abs(audio[other, a:b][quiet]).max(initial=0.0) < SILENT, turn


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_nothing_sounds_outside_the_turns(name: str) -> None:
    truth = load_truth(name)
    audio, rate_hz = stereo(name)
    for index, speaker in enumerate(("agent", "customer")):
        outside = np.ones(audio.shape[1], dtype=bool)
        for s, e in turns_of(truth, speaker):
            outside[round(s * rate_hz) : round(e * rate_hz)] = False
        assert np.abs(audio[index][outside]).max() < SILENT


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_summary_fields_match_the_turns(name: str) -> None:
    truth = load_truth(name)
    talk = {s: sum(e - b for b, e in turns_of(truth, s)) for s in ("agent", "customer")}
    assert truth["talk_time_s"] == pytest.approx(talk, abs=2e-3)
    assert truth["talk_ratio_agent"] == pytest.approx(talk["agent"] / sum(talk.values()), abs=1e-3)
    words = {s: sum(len(t["text"].split()) for t in truth["turns"] if t["speaker"] == s) for s in talk}
    assert truth["word_count"] == words
    assert truth["agent_words_per_minute"] == pytest.approx(60 * words["agent"] / talk["agent"], abs=0.1)
    assert truth["longest_agent_monologue_s"] == pytest.approx(
        max(e - b for b, e in turns_of(truth, "agent")), abs=2e-3
    )
    # overlaps and silences on a 10 ms grid, independently of the generator's interval arithmetic
    grid = np.arange(0.0, truth["duration_s"], FRAME_S) + FRAME_S / 2
    active = {s: np.zeros(grid.size, dtype=bool) for s in talk}
    for s in talk:
        for b, e in turns_of(truth, s):
            active[s] |= (grid >= b) & (grid < e)
    assert sum(o["end_s"] - o["start_s"] for o in truth["overlaps"]) == pytest.approx(
        np.sum(active["agent"] & active["customer"]) * FRAME_S, abs=0.03
    )
    silent_s = longest_run(~(active["agent"] | active["customer"])) * FRAME_S
    longest_listed_s = max((g["end_s"] - g["start_s"] for g in truth["silences_over_5s"]), default=0.0)
    assert longest_listed_s == pytest.approx(silent_s if silent_s > 5 else 0.0, abs=0.03)


@pytest.mark.parametrize("name", CALLS)
def test_call_shape(name: str) -> None:
    truth = load_truth(name)
    assert 60 <= truth["duration_s"] <= 100
    assert 12 <= len(truth["turns"]) <= 18
    assert {t["speaker"] for t in truth["turns"]} == {"agent", "customer"}
    assert not any(ch.isdigit() for t in truth["turns"] for ch in t["text"])


@pytest.mark.parametrize("name", GOOD)
def test_good_calls_are_balanced_without_dead_air(name: str) -> None:
    truth = load_truth(name)
    assert truth["quality"] == "good"
    assert 0.40 <= truth["talk_ratio_agent"] <= 0.60
    audio, rate_hz = stereo(name)
    both = frame_activity(audio[0], rate_hz) | frame_activity(audio[1], rate_hz)
    assert longest_run(~both) * FRAME_S < 5.0
    assert all(o["end_s"] - o["start_s"] < 1.0 for o in truth["overlaps"])  # backchannels only


@pytest.mark.parametrize("name", POOR)
def test_poor_calls_interrupt_monologue_and_go_silent(name: str) -> None:
    truth = load_truth(name)
    assert truth["quality"] == "poor"
    assert truth["talk_ratio_agent"] >= 0.65
    assert truth["longest_agent_monologue_s"] >= 20.0
    audio, rate_hz = stereo(name)
    interruptions = [
        (a0, c1)
        for a0, _ in turns_of(truth, "agent")
        for c0, c1 in turns_of(truth, "customer")
        if c0 < a0 < c1 and 0.5 <= c1 - a0 <= 1.5
    ]
    assert interruptions
    a, b = (round(x * rate_hz) for x in interruptions[0])
    assert frame_activity(audio[0, a:b], rate_hz).mean() > 0.5
    assert frame_activity(audio[1, a:b], rate_hz).mean() > 0.5
    both = frame_activity(audio[0], rate_hz) | frame_activity(audio[1], rate_hz)
    assert 10.0 < longest_run(~both) * FRAME_S < 13.0
    assert any(g["end_s"] - g["start_s"] > 10.0 for g in truth["silences_over_5s"])


def test_short_clip() -> None:
    truth = load_truth("en_short")
    assert truth["quality"] == "short" and truth["language"] == "en"
    assert 8.0 <= truth["duration_s"] <= 15.0 and 3 <= len(truth["turns"]) <= 4


def test_languages_and_total_size() -> None:
    assert sorted(load_truth(n)["language"] for n in CALLS) == ["en", "en", "fi", "fi", "sv", "sv"]
    assert sum(audio_path(n).stat().st_size for n in SAMPLE_NAMES) < 8_000_000


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        ("fi_good", ["nimeni on", "ymmärrän tilanteenne", "maksusuunnitelma", "eli sovitaan", "kiitos soitosta"]),
        ("fi_poor", ["teidän olisi pitänyt", "laiminlyönti", "ulosotto", "odottakaa hetki"]),
        ("sv_good", ["jag heter", "jag förstår din situation", "betalningsplan", "vad skulle passa dig"]),
        ("sv_poor", ["du borde ha betalat", "utmätning", "betalningsanmärkning"]),
        ("en_good", ["my name is", "i understand your situation", "payment plan", "so we agree that"]),
        ("en_poor", ["you should have paid on time", "your fault", "enforcement", "wait a moment"]),
    ],
)
def test_scripts_carry_the_checklist_cues(name: str, phrases: list[str]) -> None:
    agent_text = " ".join(t["text"] for t in load_truth(name)["turns"] if t["speaker"] == "agent").lower()
    for phrase in phrases:
        assert phrase in agent_text, phrase


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_truth_transcript(name: str) -> None:
    truth = load_truth(name)
    transcript = truth_transcript(name)
    assert transcript.language == truth["language"] and transcript.channel_mode == "left"
    assert len(transcript.segments) == len(transcript.speech_spans) == len(truth["turns"])
    starts = [s.start_s for s in transcript.segments]
    assert starts == sorted(starts)
    for segment, span in zip(transcript.segments, transcript.speech_spans, strict=True):
        assert (span.speaker, span.start_s, span.end_s) == (segment.speaker, segment.start_s, segment.end_s)
        assert "".join(w.word for w in segment.words).strip() == " ".join(segment.text.split())
        assert all(w.word.startswith(" ") and w.probability == 1.0 for w in segment.words)
        assert segment.words[0].start_s == pytest.approx(segment.start_s, abs=1e-3)
        assert segment.words[-1].end_s == pytest.approx(segment.end_s, abs=1e-3)
        for word in segment.words:
            assert segment.start_s - 1e-3 <= word.start_s < word.end_s <= segment.end_s + 1e-3


def test_spread_words_is_proportional_to_length() -> None:
    words = spread_words("ab abcd".split(), start_s=1.0, end_s=4.0)
    assert [(w.word, w.start_s, w.end_s) for w in words] == [(" ab", 1.0, 2.0), (" abcd", 2.0, 4.0)]


def test_unknown_sample_is_refused() -> None:
    with pytest.raises(NotFoundError, match="nope"):
        load_truth("nope")
    with pytest.raises(NotFoundError, match="nope"):
        audio_path("nope")

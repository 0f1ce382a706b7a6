"""Tests for coaching.speakers.diarization: synthetic voices, speaker_at, bad input (espeak-ng speech:
tests/integration/test_diarization_speech.py)."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.errors import AudioError, CoachingError
from coaching.speakers.diarization import Diarization, DiarizedTurn, diarize

RATE_HZ = 16_000
VOWELS_HZ = ((300.0, 2300.0), (500.0, 1500.0), (700.0, 1200.0), (400.0, 800.0), (350.0, 1900.0))
Truth = list[tuple[float, float, int]]


def synthetic_voice(
    *, rng: np.random.Generator, f0_hz: float, formant_scale: float, tilt: float, duration_s: float
) -> np.ndarray:
    """Harmonic 'speech' (n,): 0.2 s syllables with random vowels, gliding pitch and a spectral tilt."""
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    f0 = f0_hz * (1 + 0.06 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)) + 0.01 * rng.standard_normal(t.size))
    phase = 2 * np.pi * np.cumsum(f0) / RATE_HZ
    vowel = rng.integers(0, len(VOWELS_HZ), int(duration_s / 0.2) + 1)[(t / 0.2).astype(int)]
    formants = np.array(VOWELS_HZ)[vowel] * formant_scale  # (n, 2)
    out = np.zeros(t.size)
    for k in range(1, int(3800 / f0_hz)):
        freq = k * f0
        envelope = sum(np.exp(-(((freq - formants[:, j]) / 150.0) ** 2)) for j in range(2)) + 0.05
        out += envelope * k ** (-tilt) * np.sin(k * phase)
    syllable = 0.3 + 0.7 * np.sin(np.pi * (t % 0.2) / 0.2) ** 2
    out *= syllable / np.max(np.abs(out))
    return 0.3 * out + 0.003 * rng.standard_normal(t.size)


VOICE_A = {"f0_hz": 110.0, "formant_scale": 1.0, "tilt": 1.0}
VOICE_B = {"f0_hz": 220.0, "formant_scale": 1.18, "tilt": 0.6}


def alternating_mix(
    *, clips: list[np.ndarray], rng: np.random.Generator, pause_s: tuple[float, float]
) -> tuple[np.ndarray, Truth]:
    """Clips one after another with random pauses; returns mix (n,) and truth turns (start_s, end_s, clip index % 2)."""
    pieces = [np.zeros(int(0.4 * RATE_HZ))]
    truth: Truth = []
    cursor = pieces[0].size
    for i, clip in enumerate(clips):
        truth.append((cursor / RATE_HZ, (cursor + clip.size) / RATE_HZ, i % 2))
        gap = np.zeros(int(rng.uniform(*pause_s) * RATE_HZ))
        pieces += [clip, gap]
        cursor += clip.size + gap.size
    mix = np.concatenate(pieces)
    return (mix + 0.001 * rng.standard_normal(mix.size)).astype(np.float32), truth


def spans_like_vad(truth: Truth, *, min_silence_s: float) -> list[tuple[float, float]]:
    """Truth turns as speech spans, joining turns whose pause is shorter than ``min_silence_s``."""
    spans: list[list[float]] = []
    for start_s, end_s, _ in truth:
        if spans and start_s - spans[-1][1] < min_silence_s:
            spans[-1][1] = end_s
        else:
            spans.append([start_s, end_s])
    return [(s, e) for s, e in spans]


def accuracy(result: Diarization, truth: Truth, *, best_mapping: bool) -> float:
    """Share of true speech time (10 ms grid) whose speaker_at matches the truth."""
    grid = [(t, speaker) for start_s, end_s, speaker in truth for t in np.arange(start_s, end_s, 0.01)]
    hits = sum(result.speaker_at(float(t)) == speaker for t, speaker in grid)
    return max(hits, len(grid) - hits) / len(grid) if best_mapping else hits / len(grid)


def assert_covers_spans(result: Diarization, spans: list[tuple[float, float]]) -> None:
    covered = sum(t.end_s - t.start_s for t in result.turns)
    assert covered == pytest.approx(sum(e - s for s, e in spans), abs=1e-6)
    for before, after in zip(result.turns, result.turns[1:], strict=False):
        assert before.end_s <= after.start_s + 1e-9
    for turn in result.turns:
        assert any(s - 1e-9 <= turn.start_s < turn.end_s <= e + 1e-9 for s, e in spans)


@pytest.fixture(scope="module")
def two_voice_call() -> tuple[np.ndarray, Truth]:
    rng = np.random.default_rng(11)
    clips = [
        synthetic_voice(rng=rng, duration_s=rng.uniform(1.5, 4.0), **(VOICE_A if i % 2 == 0 else VOICE_B))
        for i in range(10)
    ]
    return alternating_mix(clips=clips, rng=rng, pause_s=(0.1, 0.7))


def test_two_synthetic_voices_are_separated(two_voice_call: tuple[np.ndarray, Truth]) -> None:
    mix, truth = two_voice_call
    spans = spans_like_vad(truth, min_silence_s=0.3)
    assert len(spans) < len(truth), "some spans must hold a speaker change for this test to mean something"
    result = diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans)
    assert result.n_speakers == 2
    assert result.turns[0].speaker_index == 0
    assert accuracy(result, truth, best_mapping=False) >= 0.9
    assert result.confidence > 0.6
    assert_covers_spans(result, spans)


def test_one_synthetic_voice_is_not_split_confidently() -> None:
    rng = np.random.default_rng(1)
    clips = [synthetic_voice(rng=rng, duration_s=rng.uniform(1.5, 4.0), **VOICE_A) for _ in range(10)]
    mix, truth = alternating_mix(clips=clips, rng=rng, pause_s=(0.3, 0.7))
    result = diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans_like_vad(truth, min_silence_s=0.3))
    assert result.n_speakers == 1 or result.confidence < 0.4
    if result.n_speakers == 1:
        assert {t.speaker_index for t in result.turns} == {0}


def test_speaker_at_contains_or_nearest() -> None:
    result = Diarization(
        turns=(
            DiarizedTurn(start_s=0.0, end_s=1.0, speaker_index=0),
            DiarizedTurn(start_s=2.0, end_s=3.0, speaker_index=1),
        ),
        confidence=0.9,
        n_speakers=2,
    )
    assert [result.speaker_at(t) for t in (-5.0, 0.5, 1.0, 1.4, 1.6, 2.0, 2.5, 9.0)] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert Diarization(turns=(), confidence=0.0, n_speakers=1).speaker_at(1.0) is None


def test_no_spans_gives_no_turns() -> None:
    result = diarize(samples=np.zeros(RATE_HZ, dtype=np.float32), sample_rate_hz=RATE_HZ, speech_spans_s=[])
    assert result.turns == () and result.n_speakers == 1 and result.confidence == 0.0


ONE_S = np.zeros(RATE_HZ, dtype=np.float32)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"samples": np.zeros((2, RATE_HZ), dtype=np.float32)}, "(2, 16000)"),
        ({"samples": np.zeros(RATE_HZ, dtype=np.int16)}, "int16"),
        ({"samples": np.zeros(0, dtype=np.float32)}, "0 samples"),
        ({"samples": np.full(RATE_HZ, np.nan, dtype=np.float32)}, "16000 non-finite"),
        ({"sample_rate_hz": 0}, "got 0"),
        ({"sample_rate_hz": 16000.0}, "got 16000.0"),
        ({"speech_spans_s": [(0.1,)]}, "(0.1,)"),
        ({"speech_spans_s": [(0.2, 1.5)]}, "(0.2, 1.5)"),
        ({"speech_spans_s": [(0.6, 0.4)]}, "(0.6, 0.4)"),
        ({"speech_spans_s": [(0.1, 0.6), (0.5, 0.9)]}, "(0.5, 0.9)"),
        ({"window_s": -1.0}, "-1.0"),
    ],
)
def test_bad_input_raises_audio_error(kwargs: dict[str, object], fragment: str) -> None:
    arguments: dict[str, object] = {"samples": ONE_S, "sample_rate_hz": RATE_HZ, "speech_spans_s": [(0.1, 0.9)]}
    arguments.update(kwargs)
    with pytest.raises(AudioError) as caught:
        diarize(**arguments)  # type: ignore[arg-type]
    assert isinstance(caught.value, CoachingError)
    assert fragment in str(caught.value)

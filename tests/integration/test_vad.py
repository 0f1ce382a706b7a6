"""Speech spans from the packaged Silero VAD, checked against the sample calls' turn times."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from scipy.signal import resample_poly

from audio_samples.truth import audio_path, load_truth
from coaching.errors import AudioError
from coaching.speakers.vad import speech_spans_from_vad

SR = 16_000


@cache
def _sample(name: str) -> np.ndarray:
    import soundfile as sf

    path = audio_path(name)
    if not path.is_file():
        pytest.skip(f"sample call {path.name} is missing (run audio_samples/make_samples.py)")
    samples, rate = sf.read(path, dtype="float32")
    assert rate == SR
    return np.ascontiguousarray(samples.T)


def _turns(name: str, speaker: str) -> list[tuple[float, float]]:
    return [(t["start_s"], t["end_s"]) for t in load_truth(name)["turns"] if t["speaker"] == speaker]


def _overlap(a: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(a[1], b) - max(a[0], s)) for s, b in spans)


@pytest.mark.parametrize(("channel", "speaker"), [(0, "agent"), (1, "customer")])
def test_spans_cover_each_turn_and_nothing_else(channel: int, speaker: str) -> None:
    spans = speech_spans_from_vad(samples=_sample("en_short")[channel], sample_rate_hz=SR)
    turns = _turns("en_short", speaker)
    for turn in turns:  # sentence pauses over 0.3 s inside a turn are left out
        assert _overlap(turn, spans) >= 0.85 * (turn[1] - turn[0])
    for span in spans:  # every span lies on a turn, give or take the padding and one 32 ms VAD window
        assert _overlap(span, [(a - 0.15, b + 0.15) for a, b in turns]) == pytest.approx(span[1] - span[0], abs=1e-6)
    assert sum(b - a for a, b in spans) == pytest.approx(sum(b - a for a, b in turns), abs=0.5)
    assert spans == sorted(spans) and all(a < b for a, b in spans)


def test_min_silence_decides_whether_a_pause_splits_a_span() -> None:
    agent = _sample("en_short")[0]
    start_s, end_s = _turns("en_short", "agent")[0]
    turn = agent[round(start_s * SR) : round(end_s * SR)]
    pause = np.zeros(round(0.4 * SR), np.float32)
    once = np.concatenate([pause, turn, pause])
    twice = np.concatenate([pause, turn, pause, turn, pause])
    pieces = len(speech_spans_from_vad(samples=once, sample_rate_hz=SR, min_silence_s=0.2))  # sentence pauses split
    assert len(speech_spans_from_vad(samples=twice, sample_rate_hz=SR, min_silence_s=0.2)) == 2 * pieces
    assert len(speech_spans_from_vad(samples=twice, sample_rate_hz=SR, min_silence_s=0.6)) == 1


def test_other_sample_rates_are_resampled_to_the_same_spans() -> None:
    agent = _sample("en_short")[0]
    at_16k = speech_spans_from_vad(samples=agent, sample_rate_hz=SR)
    at_8k = speech_spans_from_vad(samples=resample_poly(agent, 1, 2).astype(np.float32), sample_rate_hz=8_000)
    assert len(at_8k) == len(at_16k)
    assert np.allclose(np.array(at_8k), np.array(at_16k), atol=0.1)


def test_silence_and_empty_input_give_no_spans() -> None:
    assert speech_spans_from_vad(samples=np.zeros(2 * SR, np.float32), sample_rate_hz=SR) == []
    assert speech_spans_from_vad(samples=np.zeros(0, np.float32), sample_rate_hz=SR) == []


def test_bad_input_is_refused_with_the_value() -> None:
    with pytest.raises(AudioError, match=r"\(2, 5\)"):
        speech_spans_from_vad(samples=np.zeros((2, 5), np.float32), sample_rate_hz=SR)
    with pytest.raises(AudioError, match="0 Hz"):
        speech_spans_from_vad(samples=np.zeros(5, np.float32), sample_rate_hz=0)
    with pytest.raises(AudioError, match=r"1\.5"):
        speech_spans_from_vad(samples=np.zeros(5, np.float32), sample_rate_hz=SR, threshold=1.5)
    with pytest.raises(AudioError, match="NaN"):
        speech_spans_from_vad(samples=np.full(SR, np.nan, np.float32), sample_rate_hz=SR)

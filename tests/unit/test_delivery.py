"""Voice delivery on seeded synthetic signals with known pitch and level."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.errors import AudioError
from coaching.metrics.delivery import FrameFeatures, describe_delivery, frame_features, span_mask, speech_and_voiced

SR = 16_000


def harmonic(f0_hz: np.ndarray, *, amplitude: float = 0.3, seed: int = 0) -> np.ndarray:
    """A voice-like tone with 3 harmonics following ``f0_hz`` (one value per sample), plus -50 dB noise."""
    phase = 2 * np.pi * np.cumsum(f0_hz) / SR
    y = sum(np.sin(k * phase) / k for k in (1, 2, 3))
    y = amplitude * y / np.max(np.abs(y))
    return (y + 0.003 * np.random.default_rng(seed).standard_normal(y.size)).astype(np.float32)


def test_steady_pitch_median_within_2_percent() -> None:
    y = harmonic(np.full(3 * SR, 150.0))
    d = describe_delivery(features=frame_features(samples=y, sample_rate_hz=SR), spans=[(0.0, 3.0)])
    assert d.pitch_median_hz == pytest.approx(150.0, rel=0.02)
    assert d.pitch_range_st is not None and d.pitch_range_st < 0.5
    assert d.voiced_s == pytest.approx(3.0, abs=0.2)


def test_octave_glide_gives_range_and_variability_in_semitones() -> None:
    # f0 rises 110 → 220 Hz evenly in semitones: p5..p95 spans 0.9 × 12 st, std = 12 / sqrt(12) st
    t = np.arange(4 * SR) / SR
    y = harmonic(110.0 * 2 ** (t / 4.0))
    d = describe_delivery(features=frame_features(samples=y, sample_rate_hz=SR), spans=[(0.0, 4.0)])
    assert d.pitch_range_st == pytest.approx(10.8, abs=0.5)
    assert d.pitch_variability_st == pytest.approx(12 / np.sqrt(12), abs=0.3)
    assert d.pitch_median_hz == pytest.approx(110 * 2**0.5, rel=0.03)


def test_loudness_in_dbfs_and_range_of_two_levels() -> None:
    t = np.arange(4 * SR) / SR
    sine = np.sin(2 * np.pi * 200 * t)
    y = np.where(t < 2, 0.5 * sine, 0.25 * sine).astype(np.float32)  # -9.03 and -15.05 dBFS RMS
    f = frame_features(samples=y, sample_rate_hz=SR)
    loud = describe_delivery(features=f, spans=[(0.1, 1.9)])
    quiet = describe_delivery(features=f, spans=[(2.1, 3.9)])
    both = describe_delivery(features=f, spans=[(0.1, 3.9)])
    assert loud.loudness_median_dbfs == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.2)
    assert quiet.loudness_median_dbfs == pytest.approx(20 * np.log10(0.25 / np.sqrt(2)), abs=0.2)
    assert both.loudness_range_db == pytest.approx(6.02, abs=0.3)


def test_only_frames_inside_the_speakers_spans_count() -> None:
    f0 = np.where(np.arange(4 * SR) < 2 * SR, 220.0, 110.0)
    f = frame_features(samples=harmonic(f0), sample_rate_hz=SR)
    assert describe_delivery(features=f, spans=[(2.1, 4.0)]).pitch_median_hz == pytest.approx(110.0, rel=0.02)
    assert describe_delivery(features=f, spans=[(0.0, 1.9)]).pitch_median_hz == pytest.approx(220.0, rel=0.02)


def test_noise_is_not_voiced_and_gives_no_pitch() -> None:
    y = (0.2 * np.random.default_rng(1).standard_normal(2 * SR)).astype(np.float32)
    d = describe_delivery(features=frame_features(samples=y, sample_rate_hz=SR), spans=[(0.0, 2.0)])
    assert d.voiced_s < 0.5
    assert d.pitch_median_hz is None and d.pitch_range_st is None
    assert d.loudness_median_dbfs == pytest.approx(20 * np.log10(0.2), abs=0.5)


def test_no_speech_gives_no_figures() -> None:
    d = describe_delivery(features=frame_features(samples=np.zeros(SR, np.float32), sample_rate_hz=SR), spans=[])
    assert d.speech_s == 0 and d.pitch_median_hz is None and d.loudness_median_dbfs is None


def test_octave_errors_and_quiet_frames_are_not_voiced() -> None:
    n = 100
    f0 = np.full(n, 200.0)
    f0[:10] = 100.0  # an octave below the speaker's median: a yin octave error
    rms = np.full(n, -10.0)
    rms[10:20] = -35.0  # 25 dB under the loud frames: outside the 20 dB voicing range
    features = FrameFeatures(hop_s=0.02, times_s=np.arange(n) * 0.02, f0_hz=f0, rms_dbfs=rms, zcr=np.full(n, 0.05))
    speech, voiced = speech_and_voiced(features=features, spans=[(0.0, 2.0)])
    assert speech.sum() == n
    assert voiced.sum() == 80 and not voiced[:20].any()


def test_span_mask_is_half_open() -> None:
    times = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    assert span_mask(times_s=times, spans=[(0.5, 1.5), (2.0, 2.5)]).tolist() == [0, 1, 1, 0, 1, 0]


def test_bad_input_is_refused_with_the_value() -> None:
    with pytest.raises(AudioError, match=r"\(2, 10\)"):
        frame_features(samples=np.zeros((2, 10), np.float32), sample_rate_hz=SR)
    with pytest.raises(AudioError, match="-1"):
        frame_features(samples=np.zeros(10, np.float32), sample_rate_hz=-1)


def test_yin_only_inside_spans_matches_the_full_run_there() -> None:
    y = harmonic(np.full(6 * SR, 180.0))
    y[2 * SR : 4 * SR] = 0.0
    full = frame_features(samples=y, sample_rate_hz=SR)
    spans = [(0.2, 1.5), (4.5, 5.5)]
    part = frame_features(samples=y, sample_rate_hz=SR, spans=spans)
    inside = span_mask(times_s=full.times_s, spans=spans)
    assert np.allclose(part.f0_hz[inside], full.f0_hz[inside], rtol=1e-3)
    assert np.isnan(part.f0_hz[(full.times_s > 1.8) & (full.times_s < 4.2)]).all()
    assert np.array_equal(part.rms_dbfs, full.rms_dbfs)
    d = describe_delivery(features=part, spans=spans)
    assert d.pitch_median_hz == pytest.approx(180.0, rel=0.02)

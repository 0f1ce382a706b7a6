"""The numpy frame features equal librosa's (yin, rms, zero-crossing rate) on voices, noise and silence."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.audio.frames import _fast_length, rms, yin_f0_hz, zero_crossing_rate

RATE_HZ, FRAME, HOP = 16_000, 768, 320


def _signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(3 * RATE_HZ) / RATE_HZ
    glide_hz = 110 + 60 * np.sin(2 * np.pi * 0.5 * t)  # a voice-like pitch glide with harmonics
    phase = 2 * np.pi * np.cumsum(glide_hz) / RATE_HZ
    voice = 0.2 * np.sum([np.sin(k * phase) / k for k in range(1, 6)], axis=0)
    voice[RATE_HZ : RATE_HZ + 4000] = 0.0  # a pause of digital silence
    return {
        "voice": voice.astype(np.float32),
        "noisy voice": (voice + 0.02 * rng.standard_normal(t.size)).astype(np.float32),
        "noise": (0.1 * rng.standard_normal(t.size)).astype(np.float32),
        "short": (0.3 * np.sin(2 * np.pi * 200 * t[:FRAME])).astype(np.float32),
    }


@pytest.mark.parametrize("name", list(_signals()))
def test_frame_features_equal_librosa(name: str) -> None:
    librosa = pytest.importorskip("librosa")
    y = _signals()[name]
    expected_f0 = librosa.yin(y, fmin=60.0, fmax=500.0, sr=RATE_HZ, frame_length=FRAME, hop_length=HOP)
    f0 = yin_f0_hz(y, sample_rate_hz=RATE_HZ, frame_length=FRAME, hop_length=HOP, fmin_hz=60.0, fmax_hz=500.0)
    assert f0.shape == expected_f0.shape
    np.testing.assert_allclose(f0, expected_f0, rtol=1e-4)
    expected_rms = librosa.feature.rms(y=y, frame_length=FRAME, hop_length=HOP, center=True)[0]
    np.testing.assert_allclose(rms(y, frame_length=FRAME, hop_length=HOP), expected_rms, rtol=1e-5, atol=1e-9)
    expected_zcr = librosa.feature.zero_crossing_rate(y, frame_length=FRAME, hop_length=HOP, center=True)[0]
    np.testing.assert_array_equal(zero_crossing_rate(y, frame_length=FRAME, hop_length=HOP), expected_zcr)


def test_a_steady_tone_gives_its_pitch() -> None:
    t = np.arange(RATE_HZ) / RATE_HZ
    f0 = yin_f0_hz(
        np.sin(2 * np.pi * 180.0 * t),
        sample_rate_hz=RATE_HZ,
        frame_length=FRAME,
        hop_length=HOP,
        fmin_hz=60.0,
        fmax_hz=500.0,
    )
    assert np.median(f0) == pytest.approx(180.0, rel=0.01)


@pytest.mark.parametrize(("n", "size"), [(1, 1), (7, 8), (1535, 1536), (1537, 1600), (2049, 2160)])
def test_fast_fft_sizes_are_5_smooth(n: int, size: int) -> None:
    assert _fast_length(n) == size

"""Frame features in plain numpy: YIN pitch, RMS level and zero-crossing rate.

The same computations as ``librosa.yin``, ``librosa.feature.rms`` and ``librosa.feature.zero_crossing_rate``
(centred frames; ``tests/unit/test_frames.py`` holds them to librosa's results), without importing librosa, SciPy's
signal module and numba: about 1.8 s in every process that analyses a call (``bench/bench_speed.py``).
"""

from __future__ import annotations

import numpy as np

YIN_TROUGH_THRESHOLD = 0.1  # the absolute threshold of YIN (de Cheveigné and Kawahara 2002), librosa's default
ZERO_THRESHOLD = 1e-10  # samples this close to 0 count as 0 for zero crossings


def _frames(y: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """Shape (frame_length, n_frames): column t is y[t·hop : t·hop + frame_length]."""
    return np.lib.stride_tricks.sliding_window_view(y, frame_length)[::hop_length].T


def _centred(y: np.ndarray, frame_length: int, *, mode: str = "constant") -> np.ndarray:
    half = frame_length // 2
    return np.pad(y, (half, half), mode=mode)  # type: ignore[call-overload]


def _fast_length(n: int) -> int:
    """The smallest 5-smooth number (factors 2, 3, 5) at least ``n``: a fast real FFT size."""
    best = 1 << max(0, (n - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35
            while size < n:
                size *= 2
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def _autocorrelation(frames: np.ndarray, *, max_lag: int) -> np.ndarray:
    """Autocorrelation of each column up to ``max_lag`` lags (exclusive), by FFT."""
    n_pad = _fast_length(2 * frames.shape[0] - 1)
    spectrum = np.fft.rfft(frames, n=n_pad, axis=0)
    power = spectrum.real**2 + spectrum.imag**2
    return np.fft.irfft(power, n=n_pad, axis=0)[:max_lag]


def _cumulative_mean_normalized_difference(frames: np.ndarray, min_period: int, max_period: int) -> np.ndarray:
    acf = _autocorrelation(frames, max_lag=max_period + 1)
    energy = np.cumsum(np.square(frames), axis=0)
    energy[0] = 0  # as librosa: the lag-1 difference subtracts nothing
    difference = np.empty_like(energy)
    difference[0] = 0
    difference[1 : max_period + 1] = 2 * (acf[0:1] - acf[1 : max_period + 1]) - energy[:max_period]
    lags = np.arange(1, max_period + 1).reshape(-1, 1)
    cumulative_mean = np.cumsum(difference[1 : max_period + 1], axis=0) / lags
    denominator = cumulative_mean[min_period - 1 : max_period]
    return difference[min_period : max_period + 1] / (denominator + np.finfo(denominator.dtype).tiny)


def _parabolic_shifts(values: np.ndarray) -> np.ndarray:
    """Where a parabola through each point and its neighbours has its optimum (0 when over a bin away)."""
    shifts = np.zeros_like(values)
    before, here, after = values[:-2], values[1:-1], values[2:]
    a = after + before - 2 * here
    b = (after - before) / 2
    inside = np.abs(b) < np.abs(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        shifts[1:-1] = np.where(inside, -b / np.where(inside, a, 1), 0)
    return shifts


def yin_f0_hz(
    samples: np.ndarray,
    *,
    sample_rate_hz: int,
    frame_length: int,
    hop_length: int,
    fmin_hz: float,
    fmax_hz: float,
    only: np.ndarray | None = None,
) -> np.ndarray:
    """YIN f0 (Hz) of centred frames of ``samples`` (shape (n,)), one per hop: shape (1 + n // hop_length,).

    ``only`` (bool, one per frame) estimates those frames alone, NaN elsewhere: each frame's estimate depends on that
    frame only, so it is the same number as in a run over all frames."""
    frames = _frames(_centred(samples, frame_length), frame_length=frame_length, hop_length=hop_length)
    if only is not None:
        f0 = np.full(frames.shape[1], np.nan)
        if only.any():
            f0[only] = _yin(frames[:, only], sample_rate_hz=sample_rate_hz, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
        return f0
    return _yin(frames, sample_rate_hz=sample_rate_hz, fmin_hz=fmin_hz, fmax_hz=fmax_hz)


def _yin(frames: np.ndarray, *, sample_rate_hz: int, fmin_hz: float, fmax_hz: float) -> np.ndarray:
    """YIN f0 (Hz) of each column of ``frames`` (shape (frame_length, n_frames))."""
    frame_length = frames.shape[0]
    min_period = int(np.floor(sample_rate_hz / fmax_hz))
    max_period = min(int(np.ceil(sample_rate_hz / fmin_hz)), frame_length - 1)
    yin = _cumulative_mean_normalized_difference(frames, min_period, max_period)
    shifts = _parabolic_shifts(yin)
    is_trough = np.zeros_like(yin, dtype=bool)
    is_trough[1:-1] = (yin[1:-1] < yin[:-2]) & (yin[1:-1] <= yin[2:])
    is_trough[-1] = yin[-1] < yin[-2]  # the last lag has only a left neighbour
    is_trough[0] = yin[0] < yin[1]
    below = is_trough & (yin < YIN_TROUGH_THRESHOLD)
    period = np.argmax(below, axis=0)
    none_below = ~below.any(axis=0)
    period[none_below] = np.argmin(yin, axis=0)[none_below]
    refined = min_period + period + shifts[period, np.arange(yin.shape[1])]
    return sample_rate_hz / refined


def rms(samples: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """Root-mean-square level of centred frames (zero-padded ends): shape (1 + n // hop_length,)."""
    frames = _frames(_centred(samples, frame_length), frame_length=frame_length, hop_length=hop_length)
    return np.sqrt(np.mean(np.abs(frames) ** 2, axis=0))


def zero_crossing_rate(samples: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """Share of sample pairs that change sign in centred frames (edge-padded ends): shape (1 + n // hop_length,)."""
    y = np.where(np.abs(samples) <= ZERO_THRESHOLD, 0, samples)
    frames = _frames(_centred(y, frame_length, mode="edge"), frame_length=frame_length, hop_length=hop_length)
    negative = np.signbit(frames)
    return np.count_nonzero(negative[1:] != negative[:-1], axis=0) / frame_length

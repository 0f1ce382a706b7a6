"""Channel sanity for stereo calls, before anything listens (pure numpy).

- Dual mono: a mono recording saved as stereo (softphones, conferencing tools) has the same signal on both
  channels, maybe at another gain; taken as two people it doubles every word and fakes overtalk. Such a call
  keeps its louder channel only (analysed as mono) with a warning.
- Crosstalk / echo: real telephony leaks each side faintly into the other channel, a delayed, weaker copy. The
  delay (up to :data:`LEAK_MAX_DELAY_S`) and gain are estimated by cross-correlation; the copy is subtracted, and
  frames that were mostly the copy are silenced, so VAD and the recogniser do not hear the leak.
- One-sided: a channel that is silent (or far below the other) gets a warning.

:func:`check_channels` takes ``(n_channels, n_samples)`` float samples and returns a :class:`ChannelCheck`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DUAL_MONO_MIN_CORRELATION = 0.9
"""Normalised cross-correlation (best lag) from which the two channels carry one signal."""
DUAL_MONO_MAX_LEVEL_DIFF_DB = 10.0
"""Level difference (dB) up to which two correlated channels count as one signal saved twice; a weaker copy is
a leak (crosstalk) and is removed instead."""
LEAK_MAX_DELAY_S = 0.2
"""The longest crosstalk / echo delay looked for (seconds)."""
LEAK_MIN_CORRELATION = 0.02
"""Normalised correlation at the leak's delay from which a leak is acted on (an echo at -30 dB of an equally loud
other side: about 0.03; independent speakers stay near 0)."""
LEAK_MIN_PEAK_RATIO = 8.0
"""The leak's correlation must stand this many times above the median over all lags (a sharp delay, not two
voices that happen to co-vary)."""
LEAK_MAX_GAIN_DB = -1.0
"""A leak is weaker than its source by at least this much (dB)."""
GATE_RESIDUAL_DB = -6.0
"""After subtracting the copy, a frame that kept less than this share of its energy (dB) was mostly leak and is
silenced."""
GATE_FRAME_S = 0.02
SILENT_CHANNEL_DBFS = -60.0
"""A channel whose RMS level (dBFS) is below this is silent."""
SILENT_BELOW_OTHER_DB = 40.0
"""A channel this many dB below the other is silent too (line hiss under a call)."""
ESTIMATE_CHUNK_S = 4.0
SEARCH_DECIMATION = 4
ESTIMATE_MAX_S = 600.0
"""Cross-correlation is estimated on at most this much audio (seconds), in chunks spread over the call."""
CHANNEL_NAMES = ("left", "right")


@dataclass(frozen=True)
class Leak:
    """Channel ``into`` holds a copy of channel ``source``, ``delay_s`` later at ``gain_db``."""

    source: int
    into: int
    delay_s: float
    gain_db: float
    correlation: float


@dataclass(frozen=True)
class ChannelCheck:
    """The samples to analyse (``(1, n)`` for dual mono, leaks removed) and what was found."""

    samples: np.ndarray
    dual_mono: bool = False
    leaks: tuple[Leak, ...] = ()
    silent_channels: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


def check_channels(samples: np.ndarray, sample_rate_hz: int) -> ChannelCheck:
    """Dual mono → the louder channel alone; leaks removed; silent channels named. Mono input passes through."""
    if samples.ndim != 2 or samples.shape[0] != 2 or samples.shape[1] == 0:
        return ChannelCheck(samples)
    levels = (rms_dbfs(samples[0]), rms_dbfs(samples[1]))
    silent = _silent(levels)
    if silent:
        return ChannelCheck(samples, silent_channels=silent, warnings=tuple(_silent_warning(i) for i in silent))
    max_lag = max(1, round(LEAK_MAX_DELAY_S * sample_rate_hz))
    lags, correlation = normalised_cross_correlation(samples[0], samples[1], max_lag=max_lag, rate_hz=sample_rate_hz)
    best = int(np.argmax(np.abs(correlation)))
    if abs(correlation[best]) >= DUAL_MONO_MIN_CORRELATION and abs(levels[0] - levels[1]) <= (
        DUAL_MONO_MAX_LEVEL_DIFF_DB
    ):
        louder = 0 if levels[0] >= levels[1] else 1
        warning = (
            "the two channels carry the same signal (a mono recording saved as stereo): analysed as mono from the "
            f"{CHANNEL_NAMES[louder]} channel; the speakers come from diarization"
        )
        return ChannelCheck(samples[louder : louder + 1], dual_mono=True, warnings=(warning,))
    # The stronger leak first: its source's own echo would look like a weaker leak the other way round.
    first = 0 if lags[best] > 0 or (lags[best] == 0 and levels[0] < levels[1]) else 1
    cleaned = np.array(samples, dtype=np.float32, copy=True)
    leaks: list[Leak] = []
    for into in (first, 1 - first):
        if leaks:
            lags, correlation = normalised_cross_correlation(
                cleaned[0], cleaned[1], max_lag=max_lag, rate_hz=sample_rate_hz
            )
        leak = _leak(lags, correlation, (rms_dbfs(cleaned[0]), rms_dbfs(cleaned[1])), into, sample_rate_hz)
        if leak is not None:
            leaks.append(leak)
            cleaned[into] = remove_leak(cleaned[into], cleaned[1 - into], leak, sample_rate_hz)
    if not leaks:
        return ChannelCheck(samples)
    warnings = tuple(
        f"crosstalk: the {CHANNEL_NAMES[k.into]} channel holds a copy of the {CHANNEL_NAMES[k.source]} one "
        f"{k.delay_s * 1000:.0f} ms later at {k.gain_db:.0f} dB; removed before transcribing"
        for k in leaks
    )
    post = _silent((rms_dbfs(cleaned[0]), rms_dbfs(cleaned[1])))
    return ChannelCheck(
        cleaned, leaks=tuple(leaks), silent_channels=post, warnings=warnings + tuple(_silent_warning(i) for i in post)
    )


def normalised_cross_correlation(
    left: np.ndarray, right: np.ndarray, *, max_lag: int, rate_hz: int
) -> tuple[np.ndarray, np.ndarray]:
    """(lags in samples, correlation): ``sum left[t] * right[t - lag]`` over ``sqrt(sum left² * sum right²)``
    for lag in [-max_lag, max_lag] (a positive lag: the right channel leads, leaking into the left one).

    Searched at 1/:data:`SEARCH_DECIMATION` of the rate on chunks spread over the call (at most
    :data:`ESTIMATE_MAX_S`), then the best lag is refined at the full rate."""
    n = left.size
    step = SEARCH_DECIMATION
    coarse_lag = max(1, math.ceil(max_lag / step))
    chunk = max(round(ESTIMATE_CHUNK_S * rate_hz) // step * step, 4 * coarse_lag * step)
    n_chunks = math.ceil(n / chunk)
    keep = min(n_chunks, max(1, round(ESTIMATE_MAX_S / ESTIMATE_CHUNK_S)))
    starts = [int(s) * chunk for s in np.unique(np.linspace(0, n_chunks - 1, keep).round().astype(int))]
    size = 1 << math.ceil(math.log2(2 * chunk // step + 2 * coarse_lag))
    left64, right64 = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)  # converted once
    left_blocks = _decimated(left64, step)  # block means; a chunk's are a slice (chunks start on a block)
    right_blocks = _decimated(np.concatenate([right64, np.zeros(-n % step)]), step)  # zeros past the end
    total = np.zeros(2 * coarse_lag + 1)
    energy_left = energy_right = 0.0
    for start in starts:
        first, stop = start // step, min(start + chunk, n) // step
        a = left_blocks[first:stop]
        b = _window(right_blocks, first - coarse_lag, first + chunk // step + coarse_lag)
        spectrum = np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size))
        r = np.fft.irfft(spectrum, size)[: 2 * coarse_lag + 1]  # r[m] = sum_i a[i] * b[i + m], lag = coarse - m
        total += r[::-1]
        energy_left += float(np.einsum("i,i->", a, a))
        mid = right_blocks[first:stop]
        energy_right += float(np.einsum("i,i->", mid, mid))
    coarse = total / (math.sqrt(energy_left * energy_right) or 1.0)
    lags = np.arange(-coarse_lag, coarse_lag + 1) * step
    best = int(lags[int(np.argmax(np.abs(coarse)))])
    fine = np.arange(max(best - step, -max_lag), min(best + step, max_lag) + 1)
    exact = _correlation_at(left64, right64, fine, starts, chunk)
    keep_mask = (lags >= -max_lag) & (lags <= max_lag) & ((lags < fine[0]) | (lags > fine[-1]))
    all_lags = np.concatenate([lags[keep_mask], fine])
    order = np.argsort(all_lags)
    return all_lags[order], np.concatenate([coarse[keep_mask], exact])[order]


def _correlation_at(left: np.ndarray, right: np.ndarray, lags: np.ndarray, starts: list[int], chunk: int) -> np.ndarray:
    """Normalised correlation at full rate at ``lags``, on the same chunks (``left``, ``right``: float64)."""
    sums = np.zeros(lags.size)
    energy_left = energy_right = 0.0
    for start in starts:
        a = left[start : start + chunk]
        for k, lag in enumerate(lags):
            lo = start - int(lag)
            inside = lo >= 0 and lo + a.size <= right.size
            other = right[lo : lo + a.size] if inside else _window(right, lo, lo + a.size)
            sums[k] += float(np.einsum("i,i->", a, other))
        energy_left += float(np.einsum("i,i->", a, a))
        mid = right[start : start + chunk]
        energy_right += float(np.einsum("i,i->", mid, mid))
    return sums / (math.sqrt(energy_left * energy_right) or 1.0)


def _window(signal: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``signal[lo:hi]`` in float64, zeros outside the signal."""
    out = np.zeros(hi - lo)
    a, b = max(lo, 0), min(hi, signal.size)
    if b > a:
        out[a - lo : b - lo] = signal[a:b]
    return out


def _decimated(signal: np.ndarray, step: int) -> np.ndarray:
    """Mean of each ``step`` samples (a crude low-pass, enough to find a delay)."""
    usable = signal.size // step * step
    blocks = np.asarray(signal[:usable], dtype=np.float64).reshape(-1, step)
    total = blocks[:, 0].copy()
    for k in range(1, step):  # left to right, as mean(axis=1) adds them (the same numbers, faster)
        total += blocks[:, k]
    return total / step


def _silent(levels: tuple[float, float]) -> tuple[int, ...]:
    return tuple(
        i for i in (0, 1) if levels[i] < SILENT_CHANNEL_DBFS or levels[i] < levels[1 - i] - SILENT_BELOW_OTHER_DB
    )


def remove_leak(channel: np.ndarray, source: np.ndarray, leak: Leak, rate_hz: int) -> np.ndarray:
    """``channel`` minus the delayed, scaled ``source``; frames that were mostly leak are silenced."""
    delay = round(leak.delay_s * rate_hz)
    copy = np.zeros(channel.size, dtype=np.float32)
    copy[delay:] = source[: source.size - delay]
    gain = math.copysign(10 ** (leak.gain_db / 20), leak.correlation)
    cleaned = (channel - gain * copy).astype(np.float32)
    frame = max(1, round(GATE_FRAME_S * rate_hz))
    n_frames = channel.size // frame
    before = _frame_energy(channel, frame, n_frames)
    after = _frame_energy(cleaned, frame, n_frames)
    leaky = after < before * 10 ** (GATE_RESIDUAL_DB / 10)
    mask = np.repeat(~leaky, frame)
    cleaned[: mask.size] *= mask
    return cleaned


def rms_dbfs(channel: np.ndarray) -> float:
    """RMS level in dBFS (full scale 1.0); -inf for all zeros."""
    if channel.size == 0:
        return -math.inf
    energy = 0.0
    for start in range(0, channel.size, 1 << 20):  # float64 block by block: no full-length copy
        block = channel[start : start + (1 << 20)].astype(np.float64)
        energy += float(np.einsum("i,i->", block, block))
    energy /= channel.size
    return 10 * math.log10(energy) if energy > 0 else -math.inf


def _leak(
    lags: np.ndarray, correlation: np.ndarray, levels: tuple[float, float], into: int, rate_hz: int
) -> Leak | None:
    """The leak of the other channel into channel ``into`` (left: positive lags), or None."""
    side = lags >= 0 if into == 0 else lags <= 0
    values = np.where(side, np.abs(correlation), 0.0)
    best = int(np.argmax(values))
    peak = float(values[best])
    background = float(np.median(np.abs(correlation))) or 1e-12
    if peak < LEAK_MIN_CORRELATION or peak < LEAK_MIN_PEAK_RATIO * background:
        return None
    gain_db = 20 * math.log10(peak) + levels[into] - levels[1 - into]  # regression gain: rho * rms_into / rms_source
    if gain_db > LEAK_MAX_GAIN_DB:
        return None
    return Leak(1 - into, into, abs(int(lags[best])) / rate_hz, round(gain_db, 1), float(correlation[best]))


def _frame_energy(signal: np.ndarray, frame: int, n_frames: int) -> np.ndarray:
    framed = signal[: n_frames * frame].astype(np.float64).reshape(n_frames, frame)
    return np.einsum("ij,ij->i", framed, framed)


def _silent_warning(index: int) -> str:
    return f"one-sided call: the {CHANNEL_NAMES[index]} channel is silent; only the other speaker is analysed"

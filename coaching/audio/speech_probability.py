"""Silero speech probabilities of a channel, computed once and turned into speech chunks for any VAD setting.

The pipeline asks the VAD twice of each channel: fine spans for the metrics (0.3 s pauses split a turn) and the
recogniser's coarse chunks (2 s pauses, faster-whisper's defaults). Both come from the same Silero network output;
:func:`speech_probabilities` runs it once per signal (kept for the last :data:`CACHED_SIGNALS`, by content) and
:func:`speech_chunks` applies the thresholds, a re-implementation of faster-whisper's ``get_speech_timestamps``
that gives the same chunks from the probabilities (``tests/integration/test_speech_probability.py``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

SAMPLE_RATE_HZ = 16_000
WINDOW_SAMPLES = 512  # Silero's window at 16 kHz
CACHED_SIGNALS = 4  # a call's two channels, with room for a second call in another thread
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def speech_probabilities(*, samples: np.ndarray) -> np.ndarray:
    """Silero's speech probability per 512-sample window of ``samples`` (16 kHz, shape (n,)), shape (windows,)."""
    audio = np.ascontiguousarray(samples, dtype=np.float32)
    key = hashlib.blake2b(audio.tobytes(), digest_size=16).hexdigest()
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    from faster_whisper.vad import get_vad_model  # heavy import, kept lazy

    padded = np.pad(audio, (0, WINDOW_SAMPLES - audio.shape[0] % WINDOW_SAMPLES))
    probabilities = np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)
    probabilities.setflags(write=False)
    with _cache_lock:
        _cache[key] = probabilities
        while len(_cache) > CACHED_SIGNALS:
            _cache.popitem(last=False)
    return probabilities


def clear_cache() -> None:
    """Forget the kept probabilities (benchmarks that analyse one recording twice)."""
    with _cache_lock:
        _cache.clear()


def speech_chunks(
    probabilities: np.ndarray,
    *,
    n_samples: int,
    threshold: float = 0.5,
    min_speech_ms: int = 0,
    min_silence_ms: int = 2000,
    speech_pad_ms: int = 400,
) -> list[tuple[int, int]]:
    """Speech chunks ``(start, end)`` in samples from Silero ``probabilities`` of a signal of ``n_samples``.

    Speech starts at a window at or over ``threshold`` and ends after ``min_silence_ms`` under ``threshold`` - 0.15;
    chunks not longer than ``min_speech_ms`` are dropped; each is padded by ``speech_pad_ms`` (half the gap when
    two are closer than twice that). No maximum chunk length (faster-whisper's default)."""
    min_speech = SAMPLE_RATE_HZ * min_speech_ms / 1000
    pad = SAMPLE_RATE_HZ * speech_pad_ms / 1000
    min_silence = SAMPLE_RATE_HZ * min_silence_ms / 1000
    neg_threshold = max(threshold - 0.15, 0.01)
    speeches: list[list[int]] = []
    start: int | None = None
    silence_start = 0  # where the current stretch under neg_threshold began (0: none)
    for i, probability in enumerate(probabilities.tolist()):
        position = WINDOW_SAMPLES * i
        if probability >= threshold:
            silence_start = 0
            if start is None:
                start = position
                continue
        if start is not None and probability < neg_threshold:
            if not silence_start:
                silence_start = position
            if position - silence_start >= min_silence:
                if silence_start - start > min_speech:
                    speeches.append([start, silence_start])
                start, silence_start = None, 0
    if start is not None and n_samples - start > min_speech:
        speeches.append([start, n_samples])
    for i, speech in enumerate(speeches):
        if i == 0:
            speech[0] = int(max(0, speech[0] - pad))
        if i != len(speeches) - 1:
            gap = speeches[i + 1][0] - speech[1]
            if gap < 2 * pad:
                speech[1] += int(gap // 2)
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - gap // 2))
            else:
                speech[1] = int(min(n_samples, speech[1] + pad))
                speeches[i + 1][0] = int(max(0, speeches[i + 1][0] - pad))
        else:
            speech[1] = int(min(n_samples, speech[1] + pad))
    return [(s, e) for s, e in speeches]

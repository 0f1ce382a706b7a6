"""Speech spans of one channel with the Silero VAD packaged in faster-whisper (offline).

Defaults were tuned on the sample calls in ``audio_samples/`` (ground-truth turn times;
see tests/test_metrics_samples.py and bench/bench_metrics.py). With the 0.3 s minimum
silence the pipeline contract fixes (diarization also relies on it), 0.1 s padding gives
the closest talk times: +0.7 s on average per speaker (max 1.7 s) over 14 channels, talk
ratio within 1.2 pp, agent wpm within 3.6 %, longest turn within 0.25 s. (0.0 / 0.05 /
0.2 s padding: max talk-time error 4.7 / 2.8 / 3.7 s. A 0.5 s minimum silence with 0.05 s
padding fits the ground truth's turns, which include sentence pauses, a little closer:
max 1.0 s.)
"""

from __future__ import annotations

import math

import numpy as np

from coaching.audio.speech_probability import speech_chunks, speech_probabilities
from coaching.errors import AudioError

VAD_SAMPLE_RATE_HZ = 16_000


def _to_16k(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    if sample_rate_hz == VAD_SAMPLE_RATE_HZ:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly  # heavy import (about 1 s), only for audio not at 16 kHz

    g = math.gcd(int(sample_rate_hz), VAD_SAMPLE_RATE_HZ)
    resampled = resample_poly(samples, VAD_SAMPLE_RATE_HZ // g, int(sample_rate_hz) // g)
    return np.asarray(resampled, dtype=np.float32)


def speech_spans_from_vad(
    *,
    samples: np.ndarray,
    sample_rate_hz: int,
    min_silence_s: float = 0.3,
    speech_pad_s: float = 0.1,
    threshold: float = 0.5,
    min_speech_s: float = 0.1,
) -> list[tuple[float, float]]:
    """Speech spans ``(start_s, end_s)`` of one channel, sorted and non-overlapping.

    ``samples`` has shape (n_samples,), float in [-1, 1], any sample rate (resampled to
    16 kHz for the model). A pause shorter than ``min_silence_s`` does not split a span;
    each span is padded by ``speech_pad_s`` on both sides (never past a neighbour);
    spans shorter than ``min_speech_s`` are dropped.
    """
    if samples.ndim != 1:
        raise AudioError(f"VAD takes one channel of shape (n_samples,), got shape {samples.shape}")
    if sample_rate_hz <= 0:
        raise AudioError(f"sample rate must be positive, got {sample_rate_hz} Hz")
    if min_silence_s < 0 or speech_pad_s < 0 or min_speech_s < 0:
        raise AudioError(
            f"VAD times must be >= 0, got min_silence_s={min_silence_s}, speech_pad_s={speech_pad_s}, "
            f"min_speech_s={min_speech_s}"
        )
    if not 0.0 < threshold < 1.0:
        raise AudioError(f"VAD threshold must be in (0, 1), got {threshold}")
    if samples.size == 0:
        return []
    audio = _to_16k(samples, sample_rate_hz)
    if not np.all(np.isfinite(audio)):
        raise AudioError("audio holds NaN or infinite samples; cannot run VAD")
    chunks = speech_chunks(  # the Silero pass is shared with the recogniser's VAD (coaching.asr.speech)
        speech_probabilities(samples=audio),
        n_samples=audio.size,
        threshold=threshold,
        min_silence_ms=round(min_silence_s * 1000),
        speech_pad_ms=round(speech_pad_s * 1000),
        min_speech_ms=round(min_speech_s * 1000),
    )
    return [
        (round(start / VAD_SAMPLE_RATE_HZ, 3), round(end / VAD_SAMPLE_RATE_HZ, 3))
        for start, end in chunks
        if end > start
    ]

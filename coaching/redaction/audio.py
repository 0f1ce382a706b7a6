"""Audio redaction: a tone over the redacted stretches of a recording (both channels), padded on each side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from coaching.metrics.spans import merge_intervals
from coaching.models import DecodedAudio
from coaching.redaction.kinds import RedactedSpan

PAD_S = 0.2  # seconds added before and after each redacted span: word timings are approximate
TONE_HZ = 1000.0
TONE_LEVEL = 0.1  # peak amplitude (-20 dBFS): clearly audible, not loud
FADE_S = 0.005  # raised-cosine fade at each end of a tone, so it does not click


def padded_spans(
    spans: Iterable[RedactedSpan], *, duration_s: float, pad_s: float = PAD_S
) -> list[tuple[float, float]]:
    """The spans widened by ``pad_s`` on each side, clipped to the recording and merged where they touch."""
    return merge_intervals((max(0.0, s.start_s - pad_s), min(duration_s, s.end_s + pad_s)) for s in spans)


def tone_over(
    audio: DecodedAudio,
    spans: Iterable[RedactedSpan],
    *,
    pad_s: float = PAD_S,
    tone_hz: float = TONE_HZ,
    level: float = TONE_LEVEL,
) -> DecodedAudio:
    """``audio`` with every channel replaced by a sine tone over the padded spans (:func:`padded_spans`);
    ``sha256`` stays that of the original file (the call's key)."""
    stretches = padded_spans(spans, duration_s=audio.duration_s, pad_s=pad_s)
    if not stretches:
        return audio
    rate = audio.sample_rate_hz
    samples = np.array(audio.samples, dtype=np.float32, copy=True)
    fade_n = max(1, int(FADE_S * rate))
    for start_s, end_s in stretches:
        a, b = round(start_s * rate), min(samples.shape[1], round(end_s * rate))
        if b <= a:
            continue
        n = np.arange(a, b)
        tone = level * np.sin(2.0 * np.pi * tone_hz * n / rate)
        ramp = min(fade_n, (b - a) // 2)
        if ramp > 0:
            envelope = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
            tone[:ramp] *= envelope
            tone[-ramp:] *= envelope[::-1]
        samples[:, a:b] = tone.astype(np.float32)
    return replace(audio, samples=samples)

"""The speech the recogniser hears: one VAD pass per channel, shared by language identification and decoding.

faster-whisper's ``vad_filter`` runs the Silero VAD inside every ``transcribe`` and ``detect_language`` call; the
pipeline asks both of one channel, so the same VAD ran twice (three times with the decoding check). Here it runs
once (its probabilities are shared with the metrics' VAD too, :mod:`coaching.audio.speech_probability`):
:func:`speech_only` joins the speech stretches as ``vad_filter=True`` does, so the model hears the same audio, and
:func:`restore_times` maps times on the joined audio back to the channel, as faster-whisper does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coaching.audio.speech_probability import speech_chunks, speech_probabilities

SAMPLE_RATE_HZ = 16_000


@dataclass(frozen=True, eq=False)
class SpeechOnly:
    """The speech stretches of one channel joined (16 kHz, shape (n,)) and where they came from."""

    samples: np.ndarray
    chunks: tuple[dict[str, int], ...] = field(default=())  # {"start", "end"}: sample indexes in the channel

    @property
    def duration_s(self) -> float:
        return self.samples.size / SAMPLE_RATE_HZ

    def head(self, seconds: float) -> np.ndarray:
        """The speech within the channel's first ``seconds`` (what the VAD keeps of that stretch), joined."""
        limit, pieces, position = round(seconds * SAMPLE_RATE_HZ), [], 0
        for chunk in self.chunks:
            length = chunk["end"] - chunk["start"]
            if chunk["start"] < limit:
                pieces.append(self.samples[position : position + min(length, limit - chunk["start"])])
            position += length
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def speech_only(*, samples: np.ndarray, min_silence_ms: int, speech_pad_ms: int) -> SpeechOnly:
    """The speech of ``samples`` (16 kHz, shape (n,)) as faster-whisper's VAD filter keeps it, joined."""
    audio = np.asarray(samples, dtype=np.float32)
    found = speech_chunks(
        speech_probabilities(samples=audio),
        n_samples=audio.size,
        min_silence_ms=min_silence_ms,
        speech_pad_ms=speech_pad_ms,
    )
    if not found:
        return SpeechOnly(np.zeros(0, dtype=np.float32))
    joined = np.concatenate([audio[start:end] for start, end in found])
    return SpeechOnly(joined, tuple({"start": start, "end": end} for start, end in found))


def restore_times(segments: Iterable[Any], speech: SpeechOnly) -> Iterable[Any]:
    """faster-whisper segments decoded from ``speech.samples`` with the channel's times (words kept in one chunk)."""
    from faster_whisper.transcribe import restore_speech_timestamps

    return restore_speech_timestamps(segments, [dict(c) for c in speech.chunks], SAMPLE_RATE_HZ)

"""Frozen dataclasses that flow between the stages.

audio file → :class:`DecodedAudio` → :class:`Transcript` (segments with speakers,
speech spans) → metrics → checklist → :class:`Analysis`.
Times are seconds from the start of the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # the result types are built by their own packages, which import this module
    from coaching.checklist.types import ChecklistResult
    from coaching.metrics.types import CallMetrics

Speaker = Literal["agent", "customer"]
SPEAKERS: tuple[Speaker, Speaker] = ("agent", "customer")
ChannelMode = Literal["left", "right", "mono"]


@dataclass(frozen=True)
class DecodedAudio:
    """Decoded audio, resampled.

    ``samples`` has shape (n_channels, n_samples), float32 in [-1, 1];
    n_channels is 1 or 2.
    """

    samples: np.ndarray
    sample_rate_hz: int
    sha256: str
    source_format: str
    warnings: tuple[str, ...] = ()

    @property
    def n_channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return float(self.samples.shape[1]) / float(self.sample_rate_hz)

    def channel(self, index: int) -> np.ndarray:
        """One channel, shape (n_samples,)."""
        return self.samples[index]


@dataclass(frozen=True)
class Word:
    word: str
    start_s: float
    end_s: float
    probability: float
    suspect: str | None = None  # why the hallucination guard doubts this word (coaching.asr.guard); None: trusted


@dataclass(frozen=True)
class Segment:
    """One stretch of speech by one speaker."""

    speaker: Speaker
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...] = ()


def spread_words(tokens: Sequence[str], *, start_s: float, end_s: float) -> tuple[Word, ...]:
    """Untimed ``tokens`` laid over [start_s, end_s] in proportion to their length (the last one ends at
    ``end_s``), times rounded to milliseconds, probability 1 (a person wrote them)."""
    total = sum(len(t) for t in tokens) or 1
    words: list[Word] = []
    at_s = start_s
    for i, token in enumerate(tokens):
        stop_s = end_s if i == len(tokens) - 1 else at_s + (end_s - start_s) * len(token) / total
        words.append(Word(" " + token, round(at_s, 3), round(stop_s, 3), 1.0))
        at_s = stop_s
    return tuple(words)


def segment_words(segment: Segment) -> tuple[Word, ...]:
    """The segment's words; text without word timings is spread over the segment (:func:`spread_words`)."""
    if segment.words:
        return segment.words
    return spread_words(segment.text.split(), start_s=segment.start_s, end_s=segment.end_s)


@dataclass(frozen=True)
class SpeechSpan:
    """A stretch where a speaker's voice is active (from VAD, not text)."""

    speaker: Speaker
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


LanguageSource = Literal["forced", "agent_default", "team_default", "detected"]
LANGUAGE_SOURCES: tuple[LanguageSource, ...] = ("forced", "agent_default", "team_default", "detected")
LanguageFlag = Literal["low_probability", "channels_disagree"]
LANGUAGE_FLAGS: tuple[LanguageFlag, ...] = ("low_probability", "channels_disagree")


@dataclass(frozen=True)
class ChannelLanguage:
    """The language detected on one speaker's channel (stereo calls) and its probability."""

    speaker: Speaker
    language: str
    probability: float


@dataclass(frozen=True)
class LanguageCheck:
    """How a call's language was chosen (``source``) and how sure the choice is: the detection probability, each
    channel's own detection (stereo) and the reasons to doubt it (``flags``, :data:`LANGUAGE_FLAGS`)."""

    language: str
    source: LanguageSource
    probability: float | None = None
    channels: tuple[ChannelLanguage, ...] = ()
    flags: tuple[LanguageFlag, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class Transcript:
    """Who said what, when.

    ``segments`` and ``speech_spans`` are sorted by start time; agent and customer
    segments may overlap in time (stereo calls keep overtalk).
    ``diarization_confidence`` is 0–1 for mono calls, None for stereo.
    """

    language: str
    segments: tuple[Segment, ...]
    speech_spans: tuple[SpeechSpan, ...]
    channel_mode: ChannelMode
    diarization_confidence: float | None = None
    language_probability: float | None = None
    language_check: LanguageCheck | None = None

    def segments_of(self, speaker: Speaker) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.speaker == speaker)

    def spans_of(self, speaker: Speaker) -> tuple[SpeechSpan, ...]:
        return tuple(s for s in self.speech_spans if s.speaker == speaker)


@dataclass(frozen=True)
class CallInfo:
    id: str
    agent_id: str
    duration_s: float
    language: str
    audio_sha256: str
    channel_mode: ChannelMode
    model_name: str
    contact_id: str | None = None
    source_filename: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline produces for one call: typed results all the way to the store and the JSON
    edge (:mod:`coaching.analysis.report` writes ``schema/analysis.schema.json``; the store writes rows)."""

    call: CallInfo
    transcript: Transcript
    metrics: CallMetrics
    checklist: ChecklistResult
    schema_version: str = "1.0"

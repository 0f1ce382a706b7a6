"""Transcript quality per speaker: how sure the recogniser was of each speaker's words.

A phrase item that did not match on a transcript the recogniser was unsure of is *uncertain*, not failed
(:func:`coaching.checklist.scoring.score_checklist`): the phrase may have been said and misheard. The figures of a
transcript come from :func:`coaching.checklist.scoring.transcript_quality`; this module holds only the result type
and its thresholds, so the checklist's result types (:mod:`coaching.checklist.types`) need nothing of the transcript.

Thresholds measured with the packaged ``base`` model (``python -m coaching analyze … --json``), share of words
below :data:`LOW_PROBABILITY` per speaker: real Finnish read speech (16 kHz and 8 kHz mu-law; CER 0.02–0.08)
0–13 %; English espeak sample calls (WER <= 0.03) 4 %; Finnish espeak calls 40–45 % for the agent (CER 0.23)
and 16–19 % for the customer (CER 0.15); Swedish espeak calls 26–56 % (CER 0.18–0.34); the real Finnish speech
with white noise at 10 dB SNR 45–59 % (CER 0.17–0.34). As the word threshold, 0.4 lets clean and poor transcripts
touch (9 % both), 0.5 (even odds that the word is right) and 0.6 separate them. :data:`LOW_QUALITY_SHARE` lies
1.5x above the worst clean transcript and below every poor agent transcript.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from coaching.jsonable import JsonObject

LOW_PROBABILITY = 0.5  # a word recognised with a probability below this is a low-probability word
LOW_QUALITY_SHARE = 0.2  # a speaker with more than this share of low-probability words has a low-quality transcript
_PROBABILITY_DECIMALS = 4  # as the analysis JSON keeps them, so a call read back from JSON is judged the same


@dataclass(frozen=True)
class SpeakerQuality:
    """One speaker's recognised words: how many, how many below :data:`LOW_PROBABILITY`, their mean probability."""

    words: int
    low_probability_words: int
    mean_probability: float | None

    @property
    def low_probability_share(self) -> float | None:
        return self.low_probability_words / self.words if self.words else None

    def to_dict(self) -> JsonObject:
        share, mean = self.low_probability_share, self.mean_probability
        return {
            "words": self.words,
            "low_probability_words": self.low_probability_words,
            "low_probability_share": None if share is None else round(share, 3),
            "mean_probability": None if mean is None else round(mean, 3),
        }


@dataclass(frozen=True)
class TranscriptQuality:
    """:class:`SpeakerQuality` of the agent and of the customer, and the thresholds they were judged by."""

    agent: SpeakerQuality
    customer: SpeakerQuality
    low_probability: float = LOW_PROBABILITY
    low_quality_share: float = LOW_QUALITY_SHARE

    def of(self, speaker: Literal["agent", "customer"]) -> SpeakerQuality:
        return self.agent if speaker == "agent" else self.customer

    def low(self, speaker: Literal["agent", "customer"]) -> bool:
        """More than ``low_quality_share`` of the speaker's words are low-probability (False without words)."""
        share = self.of(speaker).low_probability_share
        return share is not None and share > self.low_quality_share

    def to_dict(self) -> JsonObject:
        return {
            "low_probability": self.low_probability,
            "low_quality_share": self.low_quality_share,
            "speakers": {
                "agent": {**self.agent.to_dict(), "low_quality": self.low("agent")},
                "customer": {**self.customer.to_dict(), "low_quality": self.low("customer")},
            },
        }


def speaker_quality(probabilities: Iterable[float]) -> SpeakerQuality:
    """The quality of one speaker's words from their recognition probabilities (0–1)."""
    values = np.round(np.asarray(list(probabilities), dtype=float), _PROBABILITY_DECIMALS)
    if values.size == 0:
        return SpeakerQuality(words=0, low_probability_words=0, mean_probability=None)
    low = int(np.count_nonzero(values < LOW_PROBABILITY))
    return SpeakerQuality(words=int(values.size), low_probability_words=low, mean_probability=float(values.mean()))


def quality_json_schema() -> JsonObject:
    """JSON Schema of :meth:`TranscriptQuality.to_dict`."""
    unit_or_null = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    speaker = {
        "type": "object",
        "required": ["words", "low_probability_words", "low_probability_share", "mean_probability"],
        "properties": {
            "words": {"type": "integer", "minimum": 0},
            "low_probability_words": {"type": "integer", "minimum": 0},
            "low_probability_share": unit_or_null,
            "mean_probability": unit_or_null,
            "low_quality": {"type": "boolean"},
        },
    }
    return {
        "type": "object",
        "description": "How sure the recogniser was of each speaker's words (share below low_probability, mean)",
        "required": ["low_probability", "speakers"],
        "properties": {
            "low_probability": {"type": "number", "minimum": 0, "maximum": 1},
            "low_quality_share": {"type": "number", "minimum": 0, "maximum": 1},
            "speakers": {"type": "object", "properties": {"agent": speaker, "customer": speaker}},
        },
    }


def quality_from_dict(data: Mapping[str, Any]) -> TranscriptQuality:
    """The inverse of :meth:`TranscriptQuality.to_dict`."""

    def one(d: Mapping[str, Any]) -> SpeakerQuality:
        mean = d.get("mean_probability")
        return SpeakerQuality(int(d["words"]), int(d["low_probability_words"]), None if mean is None else float(mean))

    speakers = data["speakers"]
    return TranscriptQuality(
        agent=one(speakers["agent"]),
        customer=one(speakers["customer"]),
        low_probability=float(data["low_probability"]),
        low_quality_share=float(data.get("low_quality_share", LOW_QUALITY_SHARE)),
    )

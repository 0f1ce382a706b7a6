"""Transcript accuracy against ground truth: word and character error rates.

Texts are normalised before comparing: lower case, punctuation removed, and English
number words written as digits (Whisper writes "50 euros" for "fifty euros").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from coaching.models import SPEAKERS, Transcript

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
EN_NUMBERS = {word: value for value, word in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}


def normalise(text: str, *, language: str) -> list[str]:
    """Lower-cased words without punctuation; English number words become digits."""
    text = unicodedata.normalize("NFC", text.lower()).replace("-", " ")
    words = re.findall(r"[\w']+", text)
    words = [w.strip("'") for w in words if w.strip("'")]
    return _english_numbers(words) if language == "en" else words


def _english_numbers(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in EN_NUMBERS:
            value = EN_NUMBERS[word]
            if value >= 20 and i + 1 < len(words) and words[i + 1] in EN_NUMBERS and EN_NUMBERS[words[i + 1]] < 10:
                value += EN_NUMBERS[words[i + 1]]
                i += 1
            if i + 1 < len(words) and words[i + 1] == "hundred":
                value *= 100
                i += 1
            out.append(str(value))
        else:
            out.append(word)
        i += 1
    return out


def word_error_rate(*, reference: str, hypothesis: str, language: str) -> float:
    """Word-level edit distance / number of reference words (0 is perfect)."""
    ref, hyp = normalise(reference, language=language), normalise(hypothesis, language=language)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def character_error_rate(*, reference: str, hypothesis: str, language: str) -> float:
    """Character-level edit distance over the normalised texts (words joined by one space)."""
    ref = " ".join(normalise(reference, language=language))
    hyp = " ".join(normalise(hypothesis, language=language))
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


@dataclass(frozen=True)
class ErrorRates:
    """WER and CER of one speaker's (or both speakers') text; ``reference_words`` weighs averages."""

    wer: float
    cer: float
    reference_words: int


def speaker_error_rates(
    *, turns: Sequence[Mapping[str, Any]], transcript: Transcript, language: str
) -> dict[str, ErrorRates]:
    """Error rates per speaker against ground-truth ``turns`` ({speaker, text}), plus ``"all"``.

    Each speaker's text is compared as one stream, so the order in which the two channels'
    segments interleave does not count as an error.
    """
    rates: dict[str, ErrorRates] = {}
    for speaker in SPEAKERS:
        reference = " ".join(t["text"] for t in turns if t["speaker"] == speaker)
        hypothesis = " ".join(s.text for s in transcript.segments_of(speaker))
        rates[speaker] = ErrorRates(
            wer=word_error_rate(reference=reference, hypothesis=hypothesis, language=language),
            cer=character_error_rate(reference=reference, hypothesis=hypothesis, language=language),
            reference_words=len(normalise(reference, language=language)),
        )
    total = sum(r.reference_words for r in rates.values()) or 1
    rates["all"] = ErrorRates(
        wer=sum(r.wer * r.reference_words for r in rates.values()) / total,
        cer=sum(r.cer * r.reference_words for r in rates.values()) / total,
        reference_words=total,
    )
    return rates

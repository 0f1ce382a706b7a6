"""Hallucination guard: drop or mark recognised words the audio does not support.

Whisper invents words in silence, at the ends of speech and in decoding loops (seen on real Finnish: a
"Katsotaan." after the last word of a clip, "Täällä." after a list of numbers, one word four times).
:func:`guard_segments` takes one channel's :class:`AsrSegment` s and its speech spans (VAD) and

- drops a short segment Whisper itself rates as probably no speech (:data:`NO_SPEECH_MIN_PROBABILITY` and
  :data:`LOW_AVG_LOGPROB_MAX` together, at most :data:`NO_SPEECH_MAX_WORDS` words; a longer one is marked),
- drops words outside every speech span (:data:`SPEECH_TOLERANCE_S`),
- drops the repeats of a word or phrase said :data:`REPEAT_MIN_RUN` or more times in a row (the first
  :data:`REPEAT_KEPT` stay),
- marks (``Word.suspect``) the words of a segment whose text compresses too well (:data:`COMPRESSION_RATIO_MAX`)
  and low-probability words at a segment's end (:data:`END_WORD_MIN_PROBABILITY`).

A marked word stays in the transcript but never serves as checklist evidence alone. Thresholds were chosen on
the product's output for the real Finnish clips (``../shared/real-speech-dev``) and the espeak sample calls:
no word of their references is dropped (``bench/bench_guard.py`` measures it;
``tests/integration/test_guard_real_speech.py`` checks it where the clips are).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from coaching.asr.transcriber import AsrSegment
from coaching.models import Word

NO_SPEECH_MIN_PROBABILITY = 0.4
"""Whisper's no-speech probability (0–1) from which a segment with a low mean log-probability is doubted.
The invented "Katsotaan." segments (base model, decoding with the Finnish prompt): 0.45 and 0.58; espeak speech
reaches 0.77, but with a higher log-probability."""
LOW_AVG_LOGPROB_MAX = -1.0
"""Mean token log-probability (natural log) at or below which such a segment is doubted (Whisper's own
``log_prob_threshold``). Invented segments: -1.08 and -1.23; real Finnish speech measured: >= -0.35."""
NO_SPEECH_MAX_WORDS = 3
"""A doubted segment of at most this many words is dropped (the invented ones: one word each); a longer one is
real speech more often than not (an espeak Swedish customer turn of 5 words reached both figures) and is marked."""
COMPRESSION_RATIO_MAX = 2.4
"""gzip compression ratio of a segment's text above which it is a decoding loop (Whisper's own threshold;
measured speech: at most 1.71)."""
REPEAT_MIN_RUN = 4
"""A word or phrase of up to :data:`REPEAT_MAX_NGRAM` words said this many times in a row is a loop."""
REPEAT_KEPT = 2
"""How many of a loop's repeats stay: people double words ("hei hei", "joo joo"); a decoding loop runs on."""
REPEAT_MAX_NGRAM = 3
END_WORD_MIN_PROBABILITY = 0.4
"""Word probability (0–1) below which one of the last :data:`END_WORDS_CHECKED` words of a segment is marked."""
END_WORDS_CHECKED = 2
SPEECH_TOLERANCE_S = 0.25
"""How far (seconds) a word may reach past a speech span and still count as inside it."""

OUTSIDE_SPEECH = "outside_speech"
NO_SPEECH = "no_speech"
REPEATED = "repeated"
REPETITIVE_SEGMENT = "repetitive_segment"
LOW_PROBABILITY_END = "low_probability_end"
REASONS = (OUTSIDE_SPEECH, NO_SPEECH, REPEATED, REPETITIVE_SEGMENT, LOW_PROBABILITY_END)

_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DroppedWord:
    """A word the guard removed, and why (one of :data:`REASONS`)."""

    word: Word
    reason: str


@dataclass(frozen=True)
class GuardResult:
    """Segments with unsupported words removed (empty segments gone) and doubtful ones marked."""

    segments: tuple[AsrSegment, ...]
    dropped: tuple[DroppedWord, ...] = ()

    @property
    def marked(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words if w.suspect)


def guard_segments(segments: Sequence[AsrSegment], speech_spans_s: Sequence[tuple[float, float]] | None) -> GuardResult:
    """One channel's segments through the guard; ``speech_spans_s`` None skips the speech-span check."""
    kept: list[AsrSegment] = []
    dropped: list[DroppedWord] = []
    for segment in segments:
        doubted = _no_speech(segment)
        if doubted and len(segment.words) <= NO_SPEECH_MAX_WORDS:
            dropped.extend(DroppedWord(w, NO_SPEECH) for w in segment.words)
            continue
        if not segment.words:  # untimed text: nothing to check word by word
            kept.append(segment)
            continue
        words = list(segment.words)
        if speech_spans_s is not None:
            dropped.extend(DroppedWord(w, OUTSIDE_SPEECH) for w in words if not _inside(w, speech_spans_s))
            words = [w for w in words if _inside(w, speech_spans_s)]
        words, repeats = drop_repeats(words)
        dropped.extend(DroppedWord(w, REPEATED) for w in repeats)
        if not words:
            continue
        if doubted:
            words = [_mark(w, NO_SPEECH) for w in words]
        if segment.compression_ratio > COMPRESSION_RATIO_MAX:
            words = [_mark(w, REPETITIVE_SEGMENT) for w in words]
        words = mark_low_probability_end(words)
        kept.append(_rebuilt(segment, words))
    return GuardResult(segments=tuple(kept), dropped=tuple(dropped))


def drop_repeats(words: Sequence[Word]) -> tuple[list[Word], list[Word]]:
    """(kept, dropped): a run of :data:`REPEAT_MIN_RUN`+ equal n-grams (compared without case and punctuation)
    keeps its first :data:`REPEAT_KEPT`."""
    keys = [_key(w) for w in words]
    kept: list[Word] = []
    dropped: list[Word] = []
    i = 0
    while i < len(words):
        loop = _loop_at(keys, i)
        if loop is None:
            kept.append(words[i])
            i += 1
            continue
        n, run = loop
        kept.extend(words[i : i + REPEAT_KEPT * n])
        dropped.extend(words[i + REPEAT_KEPT * n : i + run * n])
        i += run * n
    return kept, dropped


def _loop_at(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    """(n-gram length, times in a row) of a loop starting at ``keys[i]``, or None."""
    for n in range(1, REPEAT_MAX_NGRAM + 1):
        gram = list(keys[i : i + n])
        if len(gram) < n or "" in gram:
            return None
        run = 1
        while list(keys[i + run * n : i + (run + 1) * n]) == gram:
            run += 1
        if run >= REPEAT_MIN_RUN:
            return n, run
    return None


def mark_low_probability_end(words: Sequence[Word]) -> list[Word]:
    """Mark the trailing words (at most :data:`END_WORDS_CHECKED`) below :data:`END_WORD_MIN_PROBABILITY`."""
    out = list(words)
    for index in range(len(out) - 1, max(len(out) - END_WORDS_CHECKED, 0) - 1, -1):
        if out[index].probability >= END_WORD_MIN_PROBABILITY or not _key(out[index]):
            break
        out[index] = _mark(out[index], LOW_PROBABILITY_END)
    return out


def _no_speech(segment: AsrSegment) -> bool:
    return segment.no_speech_probability >= NO_SPEECH_MIN_PROBABILITY and segment.avg_logprob <= LOW_AVG_LOGPROB_MAX


def _inside(word: Word, spans_s: Sequence[tuple[float, float]]) -> bool:
    return any(word.end_s > s - SPEECH_TOLERANCE_S and word.start_s < e + SPEECH_TOLERANCE_S for s, e in spans_s)


def _key(word: Word) -> str:
    return _NON_WORD_RE.sub("", word.word.lower())


def _mark(word: Word, reason: str) -> Word:
    return word if word.suspect else replace(word, suspect=reason)


def _rebuilt(segment: AsrSegment, words: Sequence[Word]) -> AsrSegment:
    if tuple(words) == segment.words:
        return segment
    text = "".join(w.word for w in words).strip()
    return replace(segment, start_s=words[0].start_s, end_s=words[-1].end_s, text=text, words=tuple(words))

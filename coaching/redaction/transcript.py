"""Redact a :class:`~coaching.models.Transcript`: each speaker's words are read as one stream (a number said over
two segments is still found), every match becomes one placeholder word per segment that spans the times of the
words it replaces, and the redacted time spans are returned for the audio (:mod:`coaching.redaction.audio`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from coaching.models import SPEAKERS, Segment, Transcript, Word, segment_words
from coaching.redaction.kinds import DEFAULT_POLICY, Match, RedactedSpan, RedactionPolicy
from coaching.redaction.text import redact_words

PAUSE_S = 5.0  # a number never continues across a pause this long


@dataclass(frozen=True)
class TranscriptRedaction:
    """The redacted transcript and the redacted stretches of the call (kind, speaker, times; no words)."""

    transcript: Transcript
    spans: tuple[RedactedSpan, ...]


@dataclass(frozen=True)
class _Slot:
    segment: int  # position in transcript.segments
    word: int  # index into that segment's (timed) words


def redact_transcript(transcript: Transcript, policy: RedactionPolicy = DEFAULT_POLICY) -> TranscriptRedaction:
    """``transcript`` with identifiers, e-mail addresses and deny-listed names replaced by placeholders
    (:data:`coaching.redaction.kinds.PLACEHOLDERS`) in word and segment texts; unchanged when ``policy`` is off.

    A segment without word timings gets its text redacted and the whole segment as its redacted span.
    """
    if not policy.enabled:
        return TranscriptRedaction(transcript, ())
    timed = [segment_words(s) for s in transcript.segments]
    changes: dict[int, dict[int, tuple[int, str]]] = {}  # segment → first word → (end word, new text)
    spans: list[RedactedSpan] = []
    for speaker in SPEAKERS:
        slots = [
            _Slot(k, i) for k, s in enumerate(transcript.segments) if s.speaker == speaker for i in range(len(timed[k]))
        ]
        words = [timed[slot.segment][slot.word] for slot in slots]
        groups = _written_words(slots, words)
        tokens = ["".join(w.word for w in words[a:b]) for a, b in groups]
        breaks = frozenset(
            n
            for n in range(1, len(groups))
            if words[groups[n][0]].start_s - words[groups[n - 1][1] - 1].end_s > PAUSE_S
        )
        _, found = redact_words(tokens, transcript.language, policy, breaks=breaks)
        for token_match in found:
            match = replace(token_match, start=groups[token_match.start][0], end=groups[token_match.end - 1][1])
            spans.append(_span(match, speaker, slots, words, transcript.segments))
            _plan(match, slots, changes)
    segments = list(transcript.segments)
    for k, planned in changes.items():
        segments[k] = _redacted_segment(segments[k], timed[k], planned)
    ordered = tuple(sorted(spans, key=lambda s: (s.start_s, s.end_s)))
    return TranscriptRedaction(replace(transcript, segments=tuple(segments)), ordered)


def _written_words(slots: list[_Slot], words: list[Word]) -> list[tuple[int, int]]:
    """Recogniser words joined as written: a word that does not start with a space continues the one before in
    the same segment (" john", ".smith" is "john.smith"); ``[start, end)`` indices into ``words``."""
    groups: list[tuple[int, int]] = []
    for n, word in enumerate(words):
        joined = n > 0 and not word.word[:1].isspace() and slots[n - 1].segment == slots[n].segment
        groups[-1:] = [(groups[-1][0], n + 1)] if joined else [*groups[-1:], (n, n + 1)]
    return groups


def _span(
    match: Match, speaker: str, slots: list[_Slot], words: list[Word], segments: tuple[Segment, ...]
) -> RedactedSpan:
    covered = slots[match.start : match.end]
    untimed = [segments[s.segment] for s in covered if not segments[s.segment].words]
    start_s = min([words[match.start].start_s, *(s.start_s for s in untimed)])
    end_s = max([words[match.end - 1].end_s, *(s.end_s for s in untimed)])
    return RedactedSpan(match.kind, speaker, round(start_s, 3), round(end_s, 3))  # type: ignore[arg-type]


def _plan(match: Match, slots: list[_Slot], changes: dict[int, dict[int, tuple[int, str]]]) -> None:
    """One placeholder word per segment the match covers; the punctuation around it goes to the first and last."""
    parts: list[list[_Slot]] = []
    for slot in slots[match.start : match.end]:
        if parts and parts[-1][-1].segment == slot.segment:
            parts[-1].append(slot)
        else:
            parts.append([slot])
    for n, part in enumerate(parts):
        text = (match.prefix if n == 0 else "") + match.label + (match.suffix if n == len(parts) - 1 else "")
        changes.setdefault(part[0].segment, {})[part[0].word] = (part[-1].word + 1, text)


def _redacted_segment(segment: Segment, timed: tuple[Word, ...], planned: dict[int, tuple[int, str]]) -> Segment:
    words: list[Word] = []
    i = 0
    while i < len(timed):
        if i in planned:
            end, text = planned[i]
            first, last = timed[i], timed[end - 1]
            space = " " if first.word.startswith(" ") or not words else ""
            probability = min(w.probability for w in timed[i:end])
            words.append(Word(space + text, first.start_s, last.end_s, probability))
            i = end
        else:
            words.append(timed[i])
            i += 1
    text = "".join(w.word for w in words).strip()
    return replace(segment, text=text, words=tuple(words) if segment.words else ())

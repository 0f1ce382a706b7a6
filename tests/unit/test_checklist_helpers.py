"""Shared builders for the checklist tests (holds no tests itself)."""

from __future__ import annotations

from coaching.models import Segment, SpeechSpan, Transcript, Word


def words_of(text: str, start_s: float, end_s: float) -> tuple[Word, ...]:
    tokens = text.split()
    step = (end_s - start_s) / len(tokens)
    return tuple(
        Word(
            word=" " + tok,
            start_s=round(start_s + i * step, 3),
            end_s=round(start_s + (i + 1) * step, 3),
            probability=0.9,
        )
        for i, tok in enumerate(tokens)
    )


def call(language: str, turns: list[tuple[str, str]], *, turn_s: float = 4.0, gap_s: float = 1.0) -> Transcript:
    """A transcript from (speaker, text) turns laid out one after another."""
    segments, spans = [], []
    t = 0.5
    for speaker, text in turns:
        segments.append(Segment(speaker, t, t + turn_s, text, words_of(text, t, t + turn_s)))  # type: ignore[arg-type]
        spans.append(SpeechSpan(speaker, t, t + turn_s))  # type: ignore[arg-type]
        t += turn_s + gap_s
    return Transcript(language=language, segments=tuple(segments), speech_spans=tuple(spans), channel_mode="left")

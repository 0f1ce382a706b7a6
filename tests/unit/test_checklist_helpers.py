"""Shared builders for the checklist tests (holds no tests itself)."""

from __future__ import annotations

from dataclasses import replace

from coaching.metrics.compute import compute_metrics
from coaching.metrics.types import CallMetrics, Gap
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


def measured(
    transcript: Transcript, *, talk_ratio_agent: float | None = None, silences_s: tuple[tuple[float, float], ...] = ()
) -> CallMetrics:
    """Metrics of ``transcript`` with the two figures the checklist's metric rules read set as given."""
    gaps = tuple(Gap(start_s=a, end_s=b, duration_s=b - a, flagged=b - a > 10.0) for a, b in silences_s)
    return replace(compute_metrics(transcript=transcript), talk_ratio_agent=talk_ratio_agent, silences=gaps)

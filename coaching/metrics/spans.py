"""Interval arithmetic over speech spans, and speaker turns.

An interval is ``(start_s, end_s)``; lists of intervals are sorted and non-overlapping
after :func:`merge_intervals`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coaching.models import Speaker, Transcript, Word, segment_words

Interval = tuple[float, float]


def merge_intervals(intervals: Iterable[Interval], *, max_gap_s: float = 0.0) -> list[Interval]:
    """Sort and merge intervals that overlap or are at most ``max_gap_s`` apart."""
    merged: list[Interval] = []
    for start_s, end_s in sorted((float(a), float(b)) for a, b in intervals if b > a):
        if merged and start_s - merged[-1][1] <= max_gap_s:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_s))
        else:
            merged.append((start_s, end_s))
    return merged


def total_s(intervals: Iterable[Interval]) -> float:
    return float(sum(end_s - start_s for start_s, end_s in intervals))


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start_s, end_s = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end_s > start_s:
            out.append((start_s, end_s))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def gaps(intervals: Sequence[Interval]) -> list[Interval]:
    """The holes between consecutive merged intervals."""
    return [(intervals[k][1], intervals[k + 1][0]) for k in range(len(intervals) - 1)]


def covered_s(intervals: Sequence[Interval], *, start_s: float, end_s: float) -> float:
    """Seconds of [start_s, end_s] covered by merged ``intervals``."""
    return total_s(intersect(intervals, [(start_s, end_s)])) if end_s > start_s else 0.0


def active_at(*, intervals: Sequence[Interval], time_s: float) -> Interval | None:
    """The merged interval containing ``time_s``, if any."""
    k = bisect.bisect_right([s for s, _ in intervals], time_s) - 1
    if k >= 0 and intervals[k][0] <= time_s < intervals[k][1]:
        return intervals[k]
    return None


def speaker_spans(*, transcript: Transcript, speaker: Speaker) -> list[Interval]:
    """Merged speech spans of ``speaker``.

    Segment times stand in only when the transcript has no speech spans at all; when VAD
    found nothing on a speaker's channel, text there (often a whisper hallucination on
    silence) gets no talk time.
    """
    if not transcript.speech_spans:
        return merge_intervals((s.start_s, s.end_s) for s in transcript.segments_of(speaker))
    return merge_intervals((s.start_s, s.end_s) for s in transcript.spans_of(speaker))


def speaker_words(*, transcript: Transcript, speaker: Speaker) -> tuple[Word, ...]:
    """Words of ``speaker`` in time order; a segment without word timings is spread over its span."""
    words = [w for segment in transcript.segments_of(speaker) for w in segment_words(segment) if w.word.strip()]
    return tuple(sorted(words, key=lambda w: w.start_s))


@dataclass(frozen=True)
class Turn:
    """Consecutive speech of one speaker; ``speech_s`` (sum of ``spans``) excludes the pauses between spans."""

    speaker: Speaker
    start_s: float
    end_s: float
    speech_s: float
    words: tuple[Word, ...]
    spans: tuple[Interval, ...]

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def whole_spans_overlapping(*, spans: Sequence[Interval], start_s: float, end_s: float) -> list[Interval]:
    """Whole spans of merged ``spans`` that overlap (start_s, end_s)."""
    k = max(bisect.bisect_right([a for a, _ in spans], start_s) - 1, 0)
    out: list[Interval] = []
    while k < len(spans) and spans[k][0] < end_s:
        if spans[k][1] > start_s:
            out.append(spans[k])
        k += 1
    return out


def _nearest(bounds: Sequence[Interval], starts: Sequence[float], time_s: float) -> int:
    k = max(bisect.bisect_right(starts, time_s) - 1, 0)
    candidates = [i for i in (k, k + 1) if i < len(bounds)]
    return min(candidates, key=lambda i: max(bounds[i][0] - time_s, time_s - bounds[i][1], 0.0))


_PAIRS: tuple[tuple[Speaker, Speaker], ...] = (("agent", "customer"), ("customer", "agent"))


def build_turns(
    *,
    spans: dict[Speaker, list[Interval]],
    words: dict[Speaker, tuple[Word, ...]],
    max_pause_s: float,
    backchannel_max_s: float,
) -> list[Turn]:
    """Turns of both speakers, sorted by start.

    A speaker's spans are joined across a pause of at most ``max_pause_s`` when the other
    speaker says nothing longer than ``backchannel_max_s`` in that pause. Each word goes
    to the turn of its speaker that contains its midpoint, or else the nearest one.
    """
    turns: list[Turn] = []
    for speaker, other in _PAIRS:
        groups: list[list[Interval]] = []
        for span in spans[speaker]:
            if groups:
                prev_end_s = groups[-1][-1][1]
                other_said = any(
                    b - a > backchannel_max_s
                    for a, b in whole_spans_overlapping(spans=spans[other], start_s=prev_end_s, end_s=span[0])
                )
                if span[0] - prev_end_s <= max_pause_s and not other_said:
                    groups[-1].append(span)
                    continue
            groups.append([span])
        bounds = [(g[0][0], g[-1][1]) for g in groups]
        starts = [b[0] for b in bounds]
        assigned: list[list[Word]] = [[] for _ in groups]
        if bounds:
            for word in words[speaker]:
                assigned[_nearest(bounds, starts, (word.start_s + word.end_s) / 2.0)].append(word)
        for group, (start_s, end_s), turn_words in zip(groups, bounds, assigned, strict=True):
            turns.append(
                Turn(
                    speaker=speaker,
                    start_s=start_s,
                    end_s=end_s,
                    speech_s=total_s(group),
                    words=tuple(turn_words),
                    spans=tuple(group),
                )
            )
    return sorted(turns, key=lambda t: (t.start_s, t.end_s))

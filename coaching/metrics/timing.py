"""Timing metrics from speech spans: overtalk, interruptions, silences, response latency, longest turns."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from coaching.language import Lexicon
from coaching.metrics.spans import Interval, Turn, active_at, gaps, intersect, merge_intervals, total_s
from coaching.metrics.types import (
    Gap,
    Interruption,
    Interruptions,
    MetricParams,
    Overtalk,
    ResponseLatency,
    SilenceSummary,
    Stretch,
)
from coaching.metrics.words import is_backchannel
from coaching.models import Speaker, Word

_QUOTE_WORDS = 12


def words_in(*, words: Sequence[Word], start_s: float, end_s: float) -> tuple[Word, ...]:
    """Words whose midpoint lies in [start_s, end_s]."""
    return tuple(w for w in words if start_s <= (w.start_s + w.end_s) / 2.0 <= end_s)


def overtalk(*, agent: Sequence[Interval], customer: Sequence[Interval], params: MetricParams) -> Overtalk:
    """Stretches where both speakers are active, at least ``min_overtalk_s`` long."""
    events = [
        Stretch(start_s=a, end_s=b, duration_s=b - a)
        for a, b in intersect(agent, customer)
        if b - a >= params.min_overtalk_s
    ]
    anyone_s = total_s(merge_intervals([*agent, *customer]))
    total = sum(e.duration_s for e in events)
    return Overtalk(
        total_s=total,
        count=len(events),
        share_of_talk=total / anyone_s if anyone_s > 0 else None,
        events=tuple(events),
    )


def _starts_over(
    *, starter: Sequence[Interval], other: Sequence[Interval], params: MetricParams
) -> list[tuple[Interval, float]]:
    """Spans of ``starter`` that begin while ``other`` has been speaking and keeps speaking; with overlap (s)."""
    found: list[tuple[Interval, float]] = []
    for span in starter:
        held = active_at(intervals=other, time_s=span[0])
        if held is None:
            continue
        if span[0] - held[0] >= params.min_overtalk_s and held[1] - span[0] >= params.min_overtalk_s:
            found.append((span, min(span[1], held[1]) - span[0]))
    return found


def interruptions(
    *,
    agent: Sequence[Interval],
    customer: Sequence[Interval],
    agent_words: Sequence[Word],
    customer_words: Sequence[Word],
    lexicon: Lexicon,
    params: MetricParams,
) -> Interruptions:
    """The agent starting while the customer speaks; backchannels ("joo", "mm" under ~1 s) do not count."""
    events: list[Interruption] = []
    excluded = 0
    for (start_s, end_s), overlap_s in _starts_over(starter=agent, other=customer, params=params):
        said = words_in(words=agent_words, start_s=start_s, end_s=end_s)
        if is_backchannel(words=said, duration_s=end_s - start_s, lexicon=lexicon, max_s=params.backchannel_max_s):
            excluded += 1
            continue
        text = " ".join(w.word.strip() for w in said[:_QUOTE_WORDS])
        events.append(Interruption(start_s=start_s, overlap_s=overlap_s, text=text))
    by_customer = customer_backchannels = 0
    for (start_s, end_s), _ in _starts_over(starter=customer, other=agent, params=params):
        said = words_in(words=customer_words, start_s=start_s, end_s=end_s)
        if is_backchannel(words=said, duration_s=end_s - start_s, lexicon=lexicon, max_s=params.backchannel_max_s):
            customer_backchannels += 1
        else:
            by_customer += 1
    return Interruptions(
        count=len(events),
        backchannels_excluded=excluded,
        by_customer_count=by_customer,
        customer_backchannels=customer_backchannels,
        events=tuple(events),
    )


def silences(
    *, agent: Sequence[Interval], customer: Sequence[Interval], call_end_s: float, params: MetricParams
) -> tuple[tuple[Gap, ...], SilenceSummary]:
    """Gaps with nobody speaking in [0, call_end_s] (call edges included: dead air before the first word counts)."""
    speech = merge_intervals([*agent, *customer])
    holes = gaps([(0.0, 0.0), *speech, (call_end_s, call_end_s)]) if speech else [(0.0, call_end_s)]
    holes = [(a, b) for a, b in holes if b > a]
    listed = tuple(
        Gap(start_s=a, end_s=b, duration_s=b - a, flagged=b - a > params.silence_flag_s)
        for a, b in holes
        if b - a > params.silence_list_s
    )
    summary = SilenceSummary(
        total_non_talk_s=total_s(holes),
        longest_gap_s=max((b - a for a, b in holes), default=0.0),
        over_list_count=len(listed),
        flagged_count=sum(g.flagged for g in listed),
    )
    return listed, summary


def substantive(turns: Sequence[Turn], *, lexicon: Lexicon, params: MetricParams) -> list[Turn]:
    """Turns that are more than a backchannel."""
    return [
        t
        for t in turns
        if not is_backchannel(words=t.words, duration_s=t.duration_s, lexicon=lexicon, max_s=params.backchannel_max_s)
    ]


def response_latency(*, turns: Sequence[Turn]) -> ResponseLatency:
    """For each customer turn answered by an agent turn: agent start − customer end, floored at 0.

    ``turns`` are the substantive turns sorted by start; a customer turn followed by another
    customer turn has no reply of its own.
    """
    waits: list[tuple[float, float]] = []  # (latency_s, customer_end_s)
    for current, following in itertools.pairwise(turns):
        if current.speaker == "customer" and following.speaker == "agent":
            waits.append((max(0.0, following.start_s - current.end_s), current.end_s))
    if not waits:
        return ResponseLatency(count=0, median_s=None, max_s=None, max_at_s=None)
    longest = max(waits)
    return ResponseLatency(
        count=len(waits),
        median_s=statistics.median(w for w, _ in waits),
        max_s=longest[0],
        max_at_s=longest[1],
    )


def longest_turn(*, turns: Sequence[Turn], speaker: Speaker) -> Stretch | None:
    """The longest turn of ``speaker`` (start to end, short pauses included)."""
    own = [t for t in turns if t.speaker == speaker]
    if not own:
        return None
    best = max(own, key=lambda t: t.duration_s)
    return Stretch(start_s=best.start_s, end_s=best.end_s, duration_s=best.duration_s)

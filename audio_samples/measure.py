"""Reference metrics of a sample call, computed from its ground-truth turns."""

from __future__ import annotations

from typing import Any

Interval = tuple[float, float]


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start_s, end_s in sorted(intervals):
        if merged and start_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_s))
        else:
            merged.append((start_s, end_s))
    return merged


def overlaps(*, turns: list[dict[str, Any]]) -> list[Interval]:
    """Stretches where an agent turn and a customer turn are both active."""
    agent = [(t["start_s"], t["end_s"]) for t in turns if t["speaker"] == "agent"]
    customer = [(t["start_s"], t["end_s"]) for t in turns if t["speaker"] == "customer"]
    found = [(max(a0, c0), min(a1, c1)) for a0, a1 in agent for c0, c1 in customer if max(a0, c0) < min(a1, c1)]
    return _merge(found)


def silences(*, turns: list[dict[str, Any]], duration_s: float, min_gap_s: float) -> list[Interval]:
    """Gaps longer than ``min_gap_s`` where neither speaker talks (call edges included)."""
    speech = _merge([(t["start_s"], t["end_s"]) for t in turns])
    gaps: list[Interval] = []
    pos_s = 0.0
    for start_s, end_s in speech:
        gaps.append((pos_s, start_s))
        pos_s = end_s
    gaps.append((pos_s, duration_s))
    return [(a, b) for a, b in gaps if b - a > min_gap_s]


def summarize(*, turns: list[dict[str, Any]], duration_s: float) -> dict[str, Any]:
    """The metric fields of a ground-truth JSON (see README.md)."""
    talk = {s: sum(t["end_s"] - t["start_s"] for t in turns if t["speaker"] == s) for s in ("agent", "customer")}
    words = {s: sum(len(t["text"].split()) for t in turns if t["speaker"] == s) for s in ("agent", "customer")}
    longest = {
        s: max((t["end_s"] - t["start_s"] for t in turns if t["speaker"] == s), default=0.0)
        for s in ("agent", "customer")
    }
    return {
        "talk_time_s": {s: round(v, 3) for s, v in talk.items()},
        "talk_ratio_agent": round(talk["agent"] / (talk["agent"] + talk["customer"]), 4),
        "overlaps": [{"start_s": round(a, 3), "end_s": round(b, 3)} for a, b in overlaps(turns=turns)],
        "silences_over_5s": [
            {"start_s": round(a, 3), "end_s": round(b, 3)}
            for a, b in silences(turns=turns, duration_s=duration_s, min_gap_s=5.0)
        ],
        "longest_agent_monologue_s": round(longest["agent"], 3),
        "longest_customer_story_s": round(longest["customer"], 3),
        "word_count": words,
        "agent_words_per_minute": round(words["agent"] / (talk["agent"] / 60.0), 1),
    }

"""Tempo: words per minute and syllables per second of talk time, articulation rate, per-turn series."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from coaching.language import normalize_token
from coaching.language.syllables import count_syllables
from coaching.metrics.spans import Turn, covered_s
from coaching.metrics.types import MetricParams, TempoPoint
from coaching.models import Word


def spoken(words: Sequence[Word]) -> list[Word]:
    """Words with letters or digits (punctuation-only tokens dropped)."""
    return [w for w in words if normalize_token(w.word)]


def syllables_of(words: Sequence[Word], *, language: str) -> int:
    return sum(count_syllables(word=w.word, language=language) for w in words)


def phonation_s(turn: Turn, *, min_pause_s: float) -> float:
    """Speech time of a turn without pauses: its spans minus word gaps of at least ``min_pause_s`` inside them.

    Spans already exclude silences the VAD split on; word gaps catch the shorter pauses.
    """
    words = sorted(turn.words, key=lambda w: w.start_s)
    pause_s = sum(
        covered_s(turn.spans, start_s=a.end_s, end_s=b.start_s)
        for a, b in itertools.pairwise(words)
        if b.start_s - a.end_s >= min_pause_s
    )
    return max(turn.speech_s - pause_s, 0.0)


@dataclass(frozen=True)
class Tempo:
    words: int
    syllables: int
    words_per_minute: float | None
    syllables_per_second: float | None
    articulation_rate_sps: float | None
    articulation_turns: int
    phonation_s: float


def speaker_tempo(
    *, turns: Sequence[Turn], words: Sequence[Word], talk_time_s: float, language: str, params: MetricParams
) -> Tempo:
    """Rates of one speaker: per talk time (``words``), and articulation over turns of enough words."""
    said = spoken(words)
    syllables = syllables_of(said, language=language)
    long_turns = [t for t in turns if len(spoken(t.words)) >= params.articulation_min_words and t.speech_s > 0]
    speech_s = sum(phonation_s(t, min_pause_s=params.articulation_min_pause_s) for t in long_turns)
    long_syllables = sum(syllables_of(spoken(t.words), language=language) for t in long_turns)
    return Tempo(
        words=len(said),
        syllables=syllables,
        words_per_minute=len(said) / talk_time_s * 60.0 if talk_time_s > 0 else None,
        syllables_per_second=syllables / talk_time_s if talk_time_s > 0 else None,
        articulation_rate_sps=long_syllables / speech_s if speech_s > 0 else None,
        articulation_turns=len(long_turns),
        phonation_s=speech_s,
    )


def tempo_series(*, turns: Sequence[Turn], language: str, params: MetricParams) -> tuple[TempoPoint, ...]:
    """One point per turn with words: rates over the speech time of the turn (pauses excluded)."""
    points: list[TempoPoint] = []
    for turn in turns:
        said = spoken(turn.words)
        if not said:
            continue
        speech_s = phonation_s(turn, min_pause_s=params.articulation_min_pause_s)
        rate = speech_s if speech_s > 0 else None
        points.append(
            TempoPoint(
                speaker=turn.speaker,
                start_s=turn.start_s,
                end_s=turn.end_s,
                words=len(said),
                words_per_minute=len(said) / rate * 60.0 if rate else None,
                syllables_per_second=syllables_of(said, language=language) / rate if rate else None,
                reliable=len(said) >= params.articulation_min_words,
            )
        )
    return tuple(points)


def rate_matching(*, agent_rate: float | None, customer_rate: float | None) -> float | None:
    """Agent rate / customer rate, when both are known."""
    if agent_rate is None or customer_rate is None or customer_rate <= 0:
        return None
    return agent_rate / customer_rate

"""Customer trajectory: state words and voice in the first vs the last third of the call, and a series.

Voice is measured against the customer's own whole-call median (pitch in semitones,
energy in dB), never against a population norm. This estimates the customer's state,
which the EU AI Act allows; agents' emotions are never estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coaching.language import NEGATIVE_STATES, POSITIVE_STATES, STATE_CATEGORIES
from coaching.metrics.delivery import MIN_VOICED_S, FrameFeatures, semitones
from coaching.metrics.spans import Interval, covered_s
from coaching.metrics.types import (
    CustomerTrajectory,
    Direction,
    MetricParams,
    StateCounts,
    StateHit,
    TrajectoryWindow,
)


@dataclass(frozen=True)
class VoiceFrames:
    """One speaker's frames: features and masks of shape (n_frames,)."""

    features: FrameFeatures
    speech: np.ndarray
    voiced: np.ndarray


def _window(
    *,
    start_s: float,
    end_s: float,
    last: bool,
    hits: Sequence[StateHit],
    spans: Sequence[Interval],
    voice: VoiceFrames | None,
    baseline_hz: float | None,
    baseline_dbfs: float | None,
) -> TrajectoryWindow:
    inside = [h for h in hits if start_s <= h.start_s < end_s or (last and h.start_s == end_s)]
    counts = {c: sum(h.category == c for h in inside) for c in STATE_CATEGORIES}
    pitch_st = energy_db = None
    if voice is not None:
        times = voice.features.times_s
        in_window = (times >= start_s) & (times <= end_s if last else times < end_s)
        f0 = voice.features.f0_hz[in_window & voice.voiced]
        if baseline_hz is not None and f0.size * voice.features.hop_s >= MIN_VOICED_S:
            pitch_st = float(semitones(f_hz=float(np.median(f0)), ref_hz=baseline_hz))
        levels = voice.features.rms_dbfs[in_window & voice.speech]
        if baseline_dbfs is not None and levels.size * voice.features.hop_s >= MIN_VOICED_S:
            energy_db = float(np.median(levels)) - baseline_dbfs
    return TrajectoryWindow(
        start_s=start_s,
        end_s=end_s,
        customer_talk_s=covered_s(spans, start_s=start_s, end_s=end_s),
        counts=StateCounts(**counts),
        balance=sum(counts[c] for c in POSITIVE_STATES) - sum(counts[c] for c in NEGATIVE_STATES),
        pitch_st_vs_baseline=pitch_st,
        energy_db_vs_baseline=energy_db,
    )


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def customer_trajectory(
    *,
    hits: Sequence[StateHit],
    spans: Sequence[Interval],
    call_start_s: float,
    call_end_s: float,
    voice: VoiceFrames | None,
    params: MetricParams,
) -> CustomerTrajectory:
    """Thirds and a ``params.trajectory_bins``-window series over [call_start_s, call_end_s]."""
    baseline_hz = baseline_dbfs = None
    if voice is not None:
        f0 = voice.features.f0_hz[voice.voiced]
        if f0.size * voice.features.hop_s >= MIN_VOICED_S:
            baseline_hz = float(np.median(f0))
        levels = voice.features.rms_dbfs[voice.speech]
        if levels.size:
            baseline_dbfs = float(np.median(levels))
    length_s = max(call_end_s - call_start_s, 0.0)

    def window(start_s: float, end_s: float, *, last: bool) -> TrajectoryWindow:
        return _window(
            start_s=start_s,
            end_s=end_s,
            last=last,
            hits=hits,
            spans=spans,
            voice=voice,
            baseline_hz=baseline_hz,
            baseline_dbfs=baseline_dbfs,
        )

    first = window(call_start_s, call_start_s + length_s / 3, last=False)
    final = window(call_end_s - length_s / 3, call_end_s, last=True)
    edges = np.linspace(call_start_s, call_end_s, params.trajectory_bins + 1)
    series = tuple(
        window(float(edges[k]), float(edges[k + 1]), last=k == params.trajectory_bins - 1)
        for k in range(params.trajectory_bins)
    )
    change = final.balance - first.balance
    direction: Direction = "unchanged"
    if not any(h.category in (*NEGATIVE_STATES, *POSITIVE_STATES) for h in hits):
        direction = "no_evidence"
    elif change != 0:
        direction = "improved" if change > 0 else "worsened"
    return CustomerTrajectory(
        first_third=first,
        last_third=final,
        balance_change=change,
        pitch_change_st=_diff(first.pitch_st_vs_baseline, final.pitch_st_vs_baseline),
        energy_change_db=_diff(first.energy_db_vs_baseline, final.energy_db_vs_baseline),
        direction=direction,
        baseline_pitch_hz=baseline_hz,
        baseline_energy_dbfs=baseline_dbfs,
        series=series,
        hits=tuple(hits),
    )

"""The one scoring step: a transcript (and, when there is audio, each speaker's signal) → metrics → checklist.

The first analysis (:func:`coaching.analysis.pipeline.analyse_call`), transcript corrections, re-scoring with
another checklist version and the demo calls all go through :func:`score_call`; the checklist's score rule is
:func:`coaching.checklist.scoring.weighted_score`, which also scores coach overrides.
"""

from __future__ import annotations

from dataclasses import replace

from coaching.checklist import Checklist, ChecklistResult, score_checklist
from coaching.metrics.compute import SpeakerSignals, compute_metrics
from coaching.metrics.types import CallMetrics
from coaching.models import Analysis, CallInfo, Transcript


def score_call(
    call: CallInfo,
    transcript: Transcript,
    *,
    checklist: Checklist,
    signals: SpeakerSignals | None = None,
    metrics: CallMetrics | None = None,
) -> Analysis:
    """Measure ``transcript`` (unless ``metrics`` are given) and score it against ``checklist``.

    ``signals`` add the voice figures; ``metrics`` reuse a measurement (re-scoring with another checklist).
    """
    measured = metrics if metrics is not None else compute_metrics(transcript=transcript, signals=signals)
    result: ChecklistResult = score_checklist(transcript=transcript, metrics=measured, checklist=checklist)
    return Analysis(replace(call, channel_mode=transcript.channel_mode), transcript, measured, result)


def rescore(analysis: Analysis, *, checklist: Checklist) -> Analysis:
    """The same transcript and metrics scored against another checklist version."""
    return score_call(analysis.call, analysis.transcript, checklist=checklist, metrics=analysis.metrics)

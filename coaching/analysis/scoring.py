"""The one scoring step: a transcript (and, when there is audio, each speaker's signal) → metrics → checklist.

The first analysis (:func:`coaching.analysis.pipeline.analyse_call`), transcript corrections, re-scoring with
another checklist version and the demo calls all go through :func:`score_call`; the checklist's score rule is
:func:`coaching.checklist.scoring.weighted_score`, which also scores coach overrides.
"""

from __future__ import annotations

from dataclasses import replace

from coaching.checklist import Checklist, ChecklistResult, score_checklist
from coaching.checklist.lemmas import lemmatizer
from coaching.checklist.semantic import preload_model
from coaching.checklist.wordchoice import lexicon
from coaching.language import load_lexicon
from coaching.language.syllables import count_syllables
from coaching.metrics.compute import SpeakerSignals, compute_metrics
from coaching.metrics.norms import Norms
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


def prepare_scoring(language: str, *, checklist: Checklist | None = None) -> None:
    """Load now what the first :func:`score_call` of a ``language`` call would load (once per process): the lemma
    dictionary, the language's hyphenation patterns and word lists, the norms and, when ``checklist`` has a semantic
    item, the embedding model. A caller may run it in a thread while the recogniser works (the recogniser releases
    the GIL); scores are the same with or without it."""
    lemmatizer().lemmatize("a", language)
    count_syllables(word="a", language=language)
    load_lexicon(language)
    lexicon()
    Norms.load(language)
    if checklist is None or any(item.detector.get("semantic") for item in checklist.items):
        preload_model()

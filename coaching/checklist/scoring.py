"""Score a transcript against a checklist: items with evidence, overall score, suggestions.

A phrase item that did not match is *uncertain* (passed None, with the reason) instead of failed when the agent's
transcript is of low quality (:mod:`coaching.checklist.quality`); uncertain items have no "say it like this".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from coaching.checklist.detectors import (
    ItemContext,
    Outcome,
    detect_absence,
    detect_dead_air,
    detect_jargon,
    detect_phrases,
    detect_talk_ratio,
    semantic_turns,
)
from coaching.checklist.loader import load_checklist
from coaching.checklist.quality import TranscriptQuality, speaker_quality
from coaching.checklist.semantic import SemanticMatcher, default_semantic_matcher
from coaching.checklist.sequence import detect_sequence
from coaching.checklist.turns import text_turns
from coaching.checklist.types import (
    Checklist,
    ChecklistItem,
    ChecklistResult,
    Evidence,
    ItemResult,
    counts_in_score,
)
from coaching.checklist.wordchoice import language_lexicon, word_choice
from coaching.errors import ChecklistError

if TYPE_CHECKING:
    from coaching.metrics.types import CallMetrics
from coaching.models import SPEAKERS, Speaker, Transcript, segment_words
from coaching.settings import SUPPORTED_LANGUAGES

_AUTO = "auto"
UNCERTAIN_DETECTORS = ("phrases", "sequence")  # items that fail when the agent's expected words are not heard


def _manual(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    return Outcome(passed=None, confidence=0.0, reason="scored by a coach")


DETECTORS: dict[str, Callable[[ChecklistItem, ItemContext], Outcome]] = {
    "phrases": detect_phrases,
    "absence": detect_absence,
    "sequence": detect_sequence,
    "jargon": detect_jargon,
    "talk_ratio": detect_talk_ratio,
    "dead_air": detect_dead_air,
    "manual": _manual,
}


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def suggestion_for(*, item: ChecklistItem, outcome: Outcome, language: str) -> str | None:
    """A "say it like this" line in the call's language, fitted to the moment; None unless failed."""
    if outcome.passed is not False:
        return None
    example = item.examples.get(language) or item.examples.get("en", "")
    templates = language_lexicon(language)["templates"]
    moment = outcome.moment
    if moment is not None and moment.speaker == "customer":
        return str(templates["moment"]).format(quote=moment.quote, example=example)
    if moment is not None and moment.role == "violation":
        return str(templates["replace"]).format(quote=moment.quote, example=example)
    where = next((e for e in outcome.evidence if e.role in ("expected", "gap")), None)
    if where is None:
        return example
    return str(templates["generic"]).format(time=_clock(where.start_s), example=example)


def uncertain_outcome(item: ChecklistItem, outcome: Outcome, quality: TranscriptQuality) -> Outcome:
    """``outcome``, or, when it is a phrase item's failure for want of a match (no matched words among its
    evidence) and the agent's transcript is of low quality, the same outcome as uncertain: passed None,
    confidence 0, the reason naming the quality."""
    if item.detector_type not in UNCERTAIN_DETECTORS or outcome.passed is not False or not quality.low("agent"):
        return outcome
    if any(e.role == "match" for e in outcome.evidence):
        return outcome  # something was heard (e.g. acknowledged too late): the failure stands
    agent = quality.agent
    share = agent.low_probability_share or 0.0
    reason = (
        f"uncertain: {outcome.reason or 'no match'}, but {share:.0%} of the agent's words were recognised with "
        f"probability below {quality.low_probability:.0%} (low transcript quality), so it may have been said"
    )
    return replace(outcome, passed=None, confidence=0.0, reason=reason)


SCORE_DECIMALS = 1


def weighted_score(outcomes: Iterable[tuple[bool | None, float]]) -> float | None:
    """The one score rule, for automatic and reviewed results alike: 0–100, the weight of passed items over
    the weight of items with a result (``passed`` None and weight 0 are left out), rounded to 0.1; None when
    no item has a result."""
    judged = [(passed, weight) for passed, weight in outcomes if counts_in_score(passed, weight)]
    total = sum(weight for _, weight in judged)
    if total <= 0:
        return None
    return round(100.0 * sum(weight for passed, weight in judged if passed) / total, SCORE_DECIMALS)


def overall_score(items: Iterable[ItemResult]) -> float | None:
    """The score of item results (see :func:`weighted_score`)."""
    return weighted_score((r.passed, r.weight) for r in items)


def transcript_quality(transcript: Transcript) -> TranscriptQuality:
    """Per speaker quality of ``transcript``; text without word timings (a person's correction) counts as sure."""
    by_speaker: dict[Speaker, list[float]] = {speaker: [] for speaker in SPEAKERS}
    for segment in transcript.segments:
        by_speaker[segment.speaker].extend(w.probability for w in segment_words(segment))
    return TranscriptQuality(
        agent=speaker_quality(by_speaker["agent"]), customer=speaker_quality(by_speaker["customer"])
    )


def score_checklist(
    *,
    transcript: Transcript,
    metrics: CallMetrics | None,
    checklist: Checklist | None = None,
    semantic: SemanticMatcher | str | None = _AUTO,
) -> ChecklistResult:
    """Score one call; ``semantic`` = "auto" uses the packaged embedding model when it loads, None disables it.

    ``metrics`` None scores the text alone: the metric rules (talk ratio, dead air) are then not applicable.
    """
    if transcript.language not in SUPPORTED_LANGUAGES:
        raise ChecklistError(f"unsupported call language {transcript.language!r}; use {', '.join(SUPPORTED_LANGUAGES)}")
    checklist = checklist or load_checklist()
    matcher = default_semantic_matcher() if semantic == _AUTO else semantic
    ctx = ItemContext(
        language=transcript.language,
        turns=text_turns(transcript),
        metrics=metrics,
        semantic=matcher if isinstance(matcher, SemanticMatcher) else None,
    )
    if ctx.semantic is not None:  # one batch, only what a detector may compare: faster than turn by turn
        needed = {turn.index: turn for item in checklist.items for turn in semantic_turns(item, ctx)}
        ctx.semantic.prefetch([needed[index] for index in sorted(needed)])
    quality = transcript_quality(transcript)
    results: list[ItemResult] = []
    for item in checklist.items:
        detected = DETECTORS[item.detector_type](item, ctx)
        outcome = uncertain_outcome(item, detected, quality)
        results.append(
            ItemResult(
                id=item.id,
                label=item.label,
                phase=item.phase,
                category=item.category,
                weight=item.weight,
                detector=item.detector_type,
                passed=outcome.passed,
                confidence=outcome.confidence,
                evidence=outcome.evidence,
                suggestion=suggestion_for(item=item, outcome=outcome, language=transcript.language),
                reason=outcome.reason,
                details=dict(outcome.details),
                uncertain=detected.passed is False and outcome.passed is None,
            )
        )
    items = tuple(results)
    return ChecklistResult(
        checklist_id=checklist.id,
        version=checklist.version,
        version_id=checklist.version_id,
        language=transcript.language,
        score=overall_score(items),
        items=items,
        word_choice=word_choice(ctx),
        quality=quality,
    )


def evidence_quotes(result: ChecklistResult, item_id: str) -> list[Evidence]:
    """The evidence of one item (convenience for reports and tests)."""
    return list(result.item(item_id).evidence)

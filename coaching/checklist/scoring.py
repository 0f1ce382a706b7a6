"""Score a transcript against a checklist: items with evidence, overall score, suggestions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from coaching.checklist.detectors import (
    ItemContext,
    Outcome,
    detect_absence,
    detect_dead_air,
    detect_jargon,
    detect_phrases,
    detect_talk_ratio,
)
from coaching.checklist.loader import load_checklist
from coaching.checklist.semantic import SemanticMatcher, default_semantic_matcher
from coaching.checklist.sequence import detect_sequence
from coaching.checklist.turns import text_turns
from coaching.checklist.types import Checklist, ChecklistItem, ChecklistResult, Evidence, ItemResult
from coaching.checklist.wordchoice import language_lexicon, word_choice
from coaching.errors import ChecklistError

if TYPE_CHECKING:
    from coaching.metrics.types import CallMetrics
from coaching.models import Transcript
from coaching.settings import SUPPORTED_LANGUAGES

_AUTO = "auto"


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


SCORE_DECIMALS = 1


def weighted_score(outcomes: Iterable[tuple[bool | None, float]]) -> float | None:
    """The one score rule, for automatic and reviewed results alike: 0–100, the weight of passed items over
    the weight of items with a result (``passed`` None and weight 0 are left out), rounded to 0.1; None when
    no item has a result."""
    judged = [(passed, weight) for passed, weight in outcomes if isinstance(passed, bool) and weight > 0]
    total = sum(weight for _, weight in judged)
    if total <= 0:
        return None
    return round(100.0 * sum(weight for passed, weight in judged if passed) / total, SCORE_DECIMALS)


def overall_score(items: Iterable[ItemResult]) -> float | None:
    """The score of item results (see :func:`weighted_score`)."""
    return weighted_score((r.passed, r.weight) for r in items)


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
    results: list[ItemResult] = []
    for item in checklist.items:
        outcome = DETECTORS[item.detector_type](item, ctx)
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
    )


def evidence_quotes(result: ChecklistResult, item_id: str) -> list[Evidence]:
    """The evidence of one item (convenience for reports and tests)."""
    return list(result.item(item_id).evidence)

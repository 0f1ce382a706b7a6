"""Item detectors: phrases, absence of phrases, hardship→acknowledge sequence, jargon, metric rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coaching.checklist.phrases import PhraseMatch, compile_pattern, find_phrases, match_all
from coaching.checklist.semantic import SemanticMatcher
from coaching.checklist.turns import TextTurn
from coaching.checklist.types import ChecklistItem, Evidence

if TYPE_CHECKING:
    from coaching.metrics.types import CallMetrics

FAIL_CONFIDENCE = 0.7
_EXPLAIN_AFTER_TOKENS = 15  # an explainer may follow a term by this many tokens
_EXPLAIN_BEFORE_TOKENS = 6  # or come this shortly before it ("in practice, an enforcement officer")


@dataclass(frozen=True)
class ItemContext:
    """What every detector sees."""

    language: str
    turns: tuple[TextTurn, ...]
    metrics: CallMetrics | None  # None when only text is scored (per-utterance evaluation)
    semantic: SemanticMatcher | None = None

    @property
    def agent_turns(self) -> tuple[TextTurn, ...]:
        return tuple(t for t in self.turns if t.speaker == "agent")


@dataclass(frozen=True)
class Outcome:
    """A detector's verdict before labels, weights and suggestions are added."""

    passed: bool | None
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    moment: Evidence | None = None  # the moment a suggestion should answer (hardship, blame)


def _lang_list(item: ChecklistItem, name: str, language: str) -> tuple[str, ...]:
    return tuple(item.detector.get(name, {}).get(language, ()))


def find_in_turn(item: ChecklistItem, turn: TextTurn, language: str, name: str = "phrases") -> list[PhraseMatch]:
    """Matches of the item's ``name`` phrases in one turn, exclusions applied; a match of guard-marked words
    only does not count (:meth:`TextTurn.only_suspect`)."""
    hits = find_phrases(
        phrases=_lang_list(item, name, language),
        exclude=_lang_list(item, "exclude", language) if name == "phrases" else (),
        tokens=list(turn.tokens),
        language=language,
    )
    return [hit for hit in hits if not turn.only_suspect(hit.first, hit.last)]


def detect_in_turn(
    item: ChecklistItem, turn: TextTurn, ctx: ItemContext, *, phrases: bool = True, semantic: bool = True
) -> tuple[Evidence, float] | None:
    """Phrase match, else (if enabled) a semantic match of the turn; evidence and confidence."""
    hits = find_in_turn(item, turn, ctx.language) if phrases else []
    if hits:
        return turn.evidence(hits[0]), hits[0].similarity
    if semantic and item.detector.get("semantic") and ctx.semantic is not None:
        found = ctx.semantic.match(item_id=item.id, turn=turn, language=ctx.language)
        if found and _suspect_only(turn, found[0]):
            return None
        return found
    return None


def semantic_turns(item: ChecklistItem, ctx: ItemContext) -> tuple[TextTurn, ...]:
    """The turns whose sentences ``item``'s detector may compare semantically (a superset: embedded in one batch
    before scoring): a phrases item's window when no phrase is found there (:func:`detect_phrases`), a sequence
    item's agent turns without a phrase (:func:`coaching.checklist.sequence.detect_sequence`)."""
    if not item.detector.get("semantic") or ctx.semantic is None:
        return ()
    if item.detector_type == "phrases":
        window = _window(item, ctx)
        return () if any(find_in_turn(item, turn, ctx.language) for turn in window) else window
    if item.detector_type == "sequence":
        return tuple(turn for turn in ctx.agent_turns if not find_in_turn(item, turn, ctx.language))
    return ()


def _suspect_only(turn: TextTurn, evidence: Evidence) -> bool:
    """Whether every word of ``turn`` within ``evidence`` was marked by the hallucination guard."""
    inside = [w for w in turn.words if w.start_s >= evidence.start_s and w.end_s <= evidence.end_s]
    return bool(inside) and all(w.suspect for w in inside)


def _window(item: ChecklistItem, ctx: ItemContext) -> tuple[TextTurn, ...]:
    agent = ctx.agent_turns
    if "first_agent_turns" in item.detector:
        return agent[: int(item.detector["first_agent_turns"])]
    if "last_agent_turns" in item.detector:
        return agent[-int(item.detector["last_agent_turns"]) :]
    return agent


def expected_turn(item: ChecklistItem, ctx: ItemContext) -> TextTurn | None:
    """The agent turn where a missing item was expected, by phase."""
    agent = _window(item, ctx)
    if not agent:
        return None
    if item.phase == "opening":
        return agent[0]
    if item.phase == "closing":
        return agent[-1]
    if item.phase == "discovery":
        after_customer = [t for t in agent if any(c.speaker == "customer" for c in ctx.turns[: t.index])]
        return after_customer[0] if after_customer else agent[0]
    return agent[len(agent) // 2]


def detect_phrases(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Passes when the agent says one of the phrases (within the item's window)."""
    for use_phrases in (True, False):  # a phrase anywhere beats a paraphrase earlier in the call
        for turn in _window(item, ctx):
            found = detect_in_turn(item, turn, ctx, phrases=use_phrases, semantic=not use_phrases)
            if found:
                reason = "phrase found" if use_phrases else "paraphrase found (semantic match)"
                return Outcome(passed=True, confidence=found[1], evidence=(found[0],), reason=reason)
    where = expected_turn(item, ctx)
    if where is None:
        return Outcome(passed=None, confidence=0.0, reason="no agent speech")
    evidence = (where.evidence(role="expected"),)
    return Outcome(passed=False, confidence=FAIL_CONFIDENCE, evidence=evidence, reason="no phrase found")


def detect_absence(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Passes when none of the phrases is said; every occurrence is evidence of a failure."""
    agent = ctx.agent_turns
    if not agent:
        return Outcome(passed=None, confidence=0.0, reason="no agent speech")
    violations = [
        (turn.evidence(hit, role="violation"), hit.similarity)
        for turn in agent
        for hit in find_in_turn(item, turn, ctx.language)
    ]
    if not violations:
        return Outcome(passed=True, confidence=0.8, reason="no listed phrase found")
    evidence = _without_overlaps([v[0] for v in violations])
    return Outcome(
        passed=False,
        confidence=max(v[1] for v in violations),
        evidence=evidence,
        reason=f"{len(evidence)} phrase(s) found",
        moment=evidence[0],
    )


def _without_overlaps(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    """Longest first, drop any evidence overlapping one kept; then sort by time."""
    kept: list[Evidence] = []
    for ev in sorted(evidence, key=lambda e: -(e.end_s - e.start_s)):
        if not any(ev.start_s < k.end_s and k.start_s < ev.end_s for k in kept):
            kept.append(ev)
    return tuple(sorted(kept, key=lambda e: e.start_s))


def detect_jargon(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Passes when every collection term the agent uses is explained (same turn, or the next agent turn)."""
    explained: list[Evidence] = []
    unexplained: list[Evidence] = []
    for pos, turn in enumerate(ctx.turns):
        if turn.speaker != "agent":
            continue
        for term in jargon_in_turn(item, turn, ctx.language):
            ok = term_explained(item, turn, term, ctx, pos)
            (explained if ok else unexplained).append(turn.evidence(term, role="match" if ok else "violation"))
    if not explained and not unexplained:
        return Outcome(passed=None, confidence=0.0, reason="no collection terms used")
    details = {"terms_explained": len(explained), "terms_unexplained": len(unexplained)}
    if unexplained:
        reason = f"{len(unexplained)} term(s) used without explanation"
        return Outcome(False, 0.8, tuple(unexplained), reason, details, moment=unexplained[0])
    return Outcome(True, 0.8, tuple(explained), "every term explained", details)


def jargon_in_turn(item: ChecklistItem, turn: TextTurn, language: str) -> list[PhraseMatch]:
    """Every occurrence of a listed collection term in ``turn``."""
    hits = [
        m
        for p in _lang_list(item, "terms", language)
        for m in match_all(compile_pattern(p), list(turn.tokens), language)
        if not turn.only_suspect(m.first, m.last)
    ]
    return sorted(hits, key=lambda m: m.first)


def term_explained(item: ChecklistItem, turn: TextTurn, term: PhraseMatch, ctx: ItemContext, pos: int) -> bool:
    """An explainer follows the term within a few words, or opens the agent's next turn."""
    for hit in find_in_turn(item, turn, ctx.language, "explainers"):
        if term.first - _EXPLAIN_BEFORE_TOKENS <= hit.first <= term.last + _EXPLAIN_AFTER_TOKENS:
            return True
    later_agent = [t for t in ctx.turns[pos + 1 :] if t.speaker == "agent"][:1]
    return any(find_in_turn(item, t, ctx.language, "explainers") for t in later_agent)


def detect_talk_ratio(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Passes when the agent's talk share lies within [min, max]."""
    ratio = ctx.metrics.talk_ratio_agent if ctx.metrics is not None else None
    if ratio is None or not math.isfinite(ratio):
        return Outcome(passed=None, confidence=0.0, reason="talk_ratio_agent not measured")
    low, high = float(item.detector.get("min", 0.4)), float(item.detector.get("max", 0.6))
    passed = low <= float(ratio) <= high
    details = {"talk_ratio_agent": round(float(ratio), 3), "band": [low, high]}
    reason = f"agent talk share {float(ratio):.0%} ({'inside' if passed else 'outside'} {low:.0%}–{high:.0%})"
    return Outcome(passed=passed, confidence=0.9, reason=reason, details=details)


def detect_dead_air(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Fails on a silence over ``max_gap_s`` unless the agent's words just before it explain a hold."""
    if ctx.metrics is None:
        return Outcome(passed=None, confidence=0.0, reason="silences not measured")
    silences = ctx.metrics.silences
    limit_s = float(item.detector.get("max_gap_s", 10.0))
    bad: list[Evidence] = []
    held: list[Evidence] = []
    for gap in silences:
        start_s, end_s, duration_s = gap.start_s, gap.end_s, gap.duration_s
        if duration_s <= limit_s:
            continue
        before = [t for t in ctx.turns if t.end_s <= start_s + 0.5]
        last = before[-1] if before else None
        hold = find_in_turn(item, last, ctx.language, "hold_phrases") if last and last.speaker == "agent" else []
        if hold and last is not None:
            held.append(last.evidence(hold[0], role="match"))
        else:
            bad.append(Evidence(start_s=start_s, end_s=end_s, quote=f"[silence {duration_s:.1f} s]", role="gap"))
    details = {"long_silences": len(bad) + len(held), "explained_holds": len(held)}
    if bad:
        return Outcome(False, 0.9, tuple(bad), f"{len(bad)} unexplained silence(s) over {limit_s:g} s", details)
    return Outcome(True, 0.9, tuple(held), f"no unexplained silence over {limit_s:g} s", details)

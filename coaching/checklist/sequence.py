"""Sequence rule: a customer hardship must be acknowledged within N turns and before payment talk."""

from __future__ import annotations

from coaching.checklist.detectors import FAIL_CONFIDENCE, ItemContext, Outcome, detect_in_turn, find_in_turn
from coaching.checklist.turns import TextTurn
from coaching.checklist.types import ChecklistItem, Evidence


def _first_payment_s(item: ChecklistItem, ctx: ItemContext, after: TextTurn) -> tuple[float, Evidence] | None:
    """Start time and evidence of the agent's first payment talk after turn ``after``."""
    for turn in ctx.turns[after.index + 1 :]:
        if turn.speaker != "agent":
            continue
        hits = find_in_turn(item, turn, ctx.language, "before")
        if hits:
            first = min(hits, key=lambda m: m.first)
            evidence = turn.evidence(first, role="payment")
            return evidence.start_s, evidence
    return None


def detect_sequence(item: ChecklistItem, ctx: ItemContext) -> Outcome:
    """Acknowledge after the first hardship: latency in turns and seconds; null when nothing to answer."""
    max_turns = int(item.detector.get("max_turns", 3))
    trigger: tuple[TextTurn, Evidence] | None = None
    for turn in ctx.turns:
        if turn.speaker == "customer":
            hits = find_in_turn(item, turn, ctx.language, "triggers")
            if hits:
                trigger = (turn, turn.sentence_evidence(min(hits, key=lambda m: m.first), role="trigger"))
                break
    acks = [(turn, found) for turn in ctx.agent_turns if (found := detect_in_turn(item, turn, ctx))]
    if trigger is None:
        if acks:
            turn, (evidence, confidence) = acks[0]
            return Outcome(True, confidence, (evidence,), "acknowledges the customer (no hardship voiced)")
        return Outcome(passed=None, confidence=0.0, reason="no hardship voiced and no acknowledgement")
    hardship_turn, hardship = trigger
    payment = _first_payment_s(item, ctx, hardship_turn)
    after = [(turn, found) for turn, found in acks if turn.index > hardship_turn.index]
    details: dict[str, object] = {"max_turns": max_turns, "latency_turns": None, "latency_s": None}
    if payment is not None:
        details["payment_talk_s"] = round(payment[0], 3)
    if not after:
        where = [t for t in ctx.agent_turns if t.index > hardship_turn.index][:1]
        missing = (hardship, *(t.evidence(role="expected") for t in where))
        return Outcome(False, FAIL_CONFIDENCE, missing, "hardship not acknowledged", details, moment=hardship)
    turn, (ack, confidence) = after[0]
    latency_turns = turn.index - hardship_turn.index
    details["latency_turns"] = latency_turns
    details["latency_s"] = round(max(0.0, ack.start_s - hardship.end_s), 3)
    problems = []
    if latency_turns > max_turns:
        problems.append(f"acknowledged after {latency_turns} turns (limit {max_turns})")
    if payment is not None and payment[0] < ack.start_s:
        problems.append("payment talk came before the acknowledgement")
    if problems:
        late = (hardship, ack) if payment is None else (hardship, payment[1], ack)
        return Outcome(False, confidence, late, "; ".join(problems), details, moment=hardship)
    reason = f"acknowledged {latency_turns} turn(s), {details['latency_s']} s after the hardship"
    return Outcome(True, confidence, (hardship, ack), reason, details, moment=hardship)

"""Demo calls derived from the real analyses of the sample calls (demo data only).

Transcribing forty calls takes too long for a first start, so each sample call is transcribed once and
further demo calls are made from its transcript: sentences that made an item pass are dropped, or the item's
"say it like this" example is added where it was missing, then metrics and checklist are computed again by
the real code. A derived call keeps the sample's audio (so it plays), gets its own id and is marked as demo.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import replace

from coaching.analysis.scoring import score_call
from coaching.checklist import Checklist, ChecklistResult
from coaching.checklist.phrases import find_phrases
from coaching.checklist.text import tokenize
from coaching.checklist.types import ChecklistItem
from coaching.metrics.compute import compute_metrics
from coaching.models import Analysis, Segment, Transcript
from coaching.services.corrections import retime_words

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_FILLER = {"fi": "Selvä.", "sv": "Okej.", "en": "Okay."}
DEMO_MARK = "demo data: derived from a sample call with an edited transcript"


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text.strip()) if s]


def _with_text(segment: Segment, text: str) -> Segment:
    return replace(segment, text=text, words=retime_words(segment, text))


def drop_phrases(transcript: Transcript, item: ChecklistItem) -> Transcript:
    """Drop the agent sentences in which any of the item's phrases (for the call's language) is found."""
    phrases = tuple(item.detector.get("phrases", {}).get(transcript.language, ()))
    if not phrases:
        return transcript
    segments = list(transcript.segments)
    for i, seg in enumerate(segments):
        if seg.speaker != "agent":
            continue
        kept = [
            s
            for s in _sentences(seg.text)
            if not find_phrases(phrases=phrases, tokens=tokenize(s), language=transcript.language)
        ]
        text = " ".join(kept) or _FILLER.get(transcript.language, "Okay.")
        if text != seg.text:
            segments[i] = _with_text(seg, text)
    return replace(transcript, segments=tuple(segments))


def add_example(transcript: Transcript, *, phase: str, example: str) -> Transcript:
    """Put an item's example sentence into the agent turn where its phase happens."""
    agent = [i for i, s in enumerate(transcript.segments) if s.speaker == "agent"]
    if not agent or not example.strip():
        return transcript
    first_customer = next((i for i, s in enumerate(transcript.segments) if s.speaker == "customer"), 0)
    if phase == "opening":
        index, before = agent[0], True
    elif phase == "closing":
        index, before = agent[-1], False
    elif phase == "discovery":
        index, before = next((i for i in agent if i > first_customer), agent[0]), True
    else:
        index, before = agent[len(agent) // 2], False
    seg = transcript.segments[index]
    text = f"{example.strip()} {seg.text}" if before else f"{seg.text} {example.strip()}"
    segments = list(transcript.segments)
    segments[index] = _with_text(seg, text)
    return replace(transcript, segments=tuple(segments))


def vary_transcript(
    transcript: Transcript,
    checklist_result: ChecklistResult,
    checklist: Checklist,
    *,
    rng: random.Random,
    drop_p: float,
    fix_p: float,
) -> Transcript:
    """Drop each passed item's evidence with probability ``drop_p``; fix each failed item with ``fix_p``."""
    by_id = {i.id: i for i in checklist.items}
    out = transcript
    for item in checklist_result.items:
        definition = by_id.get(item.id)
        if definition is None or definition.detector_type in ("talk_ratio", "dead_air", "manual"):
            continue
        if item.passed is True and definition.detector_type != "absence" and rng.random() < drop_p:
            out = drop_phrases(out, definition)
        elif item.passed is False and rng.random() < fix_p:
            if definition.detector_type == "absence":  # its phrases are the violations
                out = drop_phrases(out, definition)
            else:
                example = definition.examples.get(transcript.language, "")
                out = add_example(out, phase=definition.phase, example=example)
    return out


def derived_analysis(
    source: Analysis,
    transcript: Transcript,
    *,
    call_id: str,
    agent_id: str,
    contact_id: str | None,
    checklist: Checklist,
) -> Analysis:
    """A demo analysis of an edited transcript: real metrics and checklist; voice figures of the source audio."""
    measured = compute_metrics(transcript=transcript)
    voice = replace(
        measured.speakers,
        agent=replace(measured.speakers.agent, delivery=source.metrics.speakers.agent.delivery),
        customer=replace(measured.speakers.customer, delivery=source.metrics.speakers.customer.delivery),
    )
    digest = hashlib.sha256(f"{source.call.audio_sha256}:{call_id}".encode()).hexdigest()
    info = replace(
        source.call,
        id=call_id,
        agent_id=agent_id,
        audio_sha256=digest,
        contact_id=contact_id,
        model_name=f"{source.call.model_name} (demo copy)",
        source_filename=f"DEMO {source.call.source_filename}",
        warnings=(DEMO_MARK,),
    )
    return score_call(info, transcript, checklist=checklist, metrics=replace(measured, speakers=voice))

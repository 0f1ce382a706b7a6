"""JSON Schema (draft 2020-12) of :meth:`ChecklistResult.to_dict`."""

from __future__ import annotations

from coaching.checklist.quality import quality_json_schema
from coaching.checklist.types import CATEGORIES, DETECTOR_TYPES, ITEM_STATUSES, PHASES
from coaching.jsonable import JsonObject
from coaching.settings import SUPPORTED_LANGUAGES

_NUMBER_OR_NULL = {"type": ["number", "null"]}


def checklist_json_schema() -> JsonObject:
    """The schema of a scored checklist (extra item fields allowed, e.g. latency_turns)."""
    evidence = {
        "type": "object",
        "required": ["start_s", "end_s", "quote"],
        "properties": {
            "start_s": {"type": "number", "minimum": 0},
            "end_s": {"type": "number", "minimum": 0},
            "quote": {"type": "string"},
            "speaker": {"enum": ["agent", "customer", None]},
            "role": {"type": "string"},
        },
    }
    item = {
        "type": "object",
        "required": ["id", "label", "passed", "confidence", "evidence", "suggestion"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "label": {"type": "string"},
            "phase": {"enum": list(PHASES)},
            "category": {"enum": list(CATEGORIES)},
            "weight": {"type": "number", "minimum": 0},
            "detector": {"enum": list(DETECTOR_TYPES)},
            "passed": {"type": ["boolean", "null"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "evidence": {"type": "array", "items": evidence},
            "suggestion": {"type": ["string", "null"]},
            "reason": {"type": "string"},
            "latency_turns": {"type": ["integer", "null"]},
            "latency_s": _NUMBER_OR_NULL,
            "status": {"enum": list(ITEM_STATUSES)},
        },
        "additionalProperties": True,
    }
    occurrence = {
        "type": "object",
        "required": ["phrase", "start_s", "end_s", "speaker", "category"],
        "properties": {
            "phrase": {"type": "string"},
            "pattern": {"type": "string"},
            "category": {"enum": ["empathy", "solution", "blame", "jargon", "filler", "hardship"]},
            "speaker": {"enum": ["agent", "customer"]},
            "start_s": {"type": "number", "minimum": 0},
            "end_s": {"type": "number", "minimum": 0},
            "explained": {"type": ["boolean", "null"]},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Checklist result",
        "type": "object",
        "required": ["checklist_id", "version", "version_id", "score", "items", "word_choice"],
        "properties": {
            "checklist_id": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "version_id": {"type": "string"},
            "language": {"enum": list(SUPPORTED_LANGUAGES)},
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "items": {"type": "array", "items": item},
            "word_choice": {
                "type": "object",
                "required": ["occurrences"],
                "properties": {
                    "occurrences": {"type": "array", "items": occurrence},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
            "scored_items": {"type": "integer", "minimum": 0, "description": "items the score stands on"},
            "total_items": {"type": "integer", "minimum": 0, "description": "items with a weight"},
            "uncertain_items": {"type": "integer", "minimum": 0},
            "transcript_quality": quality_json_schema(),
        },
    }

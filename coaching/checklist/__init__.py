"""Empathy checklist: versioned YAML checklists, detectors with evidence, word choice.

Public API: :func:`load_checklist`, :func:`score_checklist`, :func:`checklist_json_schema`.
Transcript quality per speaker (:func:`scoring.transcript_quality`, the figure :class:`quality.TranscriptQuality`)
turns unmatched phrase items on an unsure transcript into uncertain ones (passed None, ``status`` "uncertain")
instead of failed.
"""

from __future__ import annotations

from coaching.checklist.loader import load_checklist, parse_checklist
from coaching.checklist.schema import checklist_json_schema
from coaching.checklist.scoring import score_checklist
from coaching.checklist.semantic import Embedder, SemanticMatcher
from coaching.checklist.types import Checklist, ChecklistItem, ChecklistResult, Evidence, ItemResult, WordOccurrence

__all__ = [
    "Checklist",
    "ChecklistItem",
    "ChecklistResult",
    "Embedder",
    "Evidence",
    "ItemResult",
    "SemanticMatcher",
    "WordOccurrence",
    "checklist_json_schema",
    "load_checklist",
    "parse_checklist",
    "score_checklist",
]

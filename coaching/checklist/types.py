"""Checklist definitions (from YAML) and scoring results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
CATEGORIES: tuple[str, ...] = ("attentive", "cognitive", "affective", "solution", "clarity", "respect", "delivery")
PHASES: tuple[str, ...] = ("opening", "discovery", "solution", "closing", "throughout")
DETECTOR_TYPES: tuple[str, ...] = ("phrases", "absence", "sequence", "jargon", "talk_ratio", "dead_air", "manual")


@dataclass(frozen=True)
class ChecklistItem:
    """One checklist item; ``detector`` is the validated detector mapping from the file."""

    id: str
    label: str
    phase: str
    category: str
    weight: float
    detector: dict[str, Any]
    guidance: str
    examples: dict[str, str]

    @property
    def detector_type(self) -> str:
        return str(self.detector["type"])


@dataclass(frozen=True)
class Checklist:
    """A versioned checklist: ``version_id`` = declared version + hash of the content."""

    id: str
    version: int
    version_id: str
    title: str
    items: tuple[ChecklistItem, ...]
    source_text: str = field(repr=False, default="")

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.items:
            if it.id == item_id:
                return it
        from coaching.errors import ChecklistError

        raise ChecklistError(f"checklist {self.version_id!r} has no item {item_id!r}")


@dataclass(frozen=True)
class Evidence:
    """The words (or gap) that decided an item; for a failure, where it was expected."""

    start_s: float
    end_s: float
    quote: str
    speaker: str | None = None
    role: str = "match"  # match | expected | trigger | violation | gap

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "quote": self.quote,
            "speaker": self.speaker,
            "role": self.role,
        }


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item: passed is None when not applicable or manual."""

    id: str
    label: str
    phase: str
    category: str
    weight: float
    detector: str
    passed: bool | None
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    suggestion: str | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "phase": self.phase,
            "category": self.category,
            "weight": self.weight,
            "detector": self.detector,
            "passed": self.passed,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_dict() for e in self.evidence],
            "suggestion": self.suggestion,
            "reason": self.reason,
            **self.details,
        }


@dataclass(frozen=True)
class WordOccurrence:
    """One word-choice hit: a phrase of a category spoken at a time."""

    phrase: str
    pattern: str
    category: str
    speaker: str
    start_s: float
    end_s: float
    explained: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phrase": self.phrase,
            "pattern": self.pattern,
            "category": self.category,
            "speaker": self.speaker,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "explained": self.explained,
        }


@dataclass(frozen=True)
class ChecklistResult:
    """Scores of one call against one checklist version."""

    checklist_id: str
    version: int
    version_id: str
    language: str
    score: float | None
    items: tuple[ItemResult, ...]
    word_choice: tuple[WordOccurrence, ...]

    def item(self, item_id: str) -> ItemResult:
        return next(r for r in self.items if r.id == item_id)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for occ in self.word_choice:
            counts[occ.category] = counts.get(occ.category, 0) + 1
        return {
            "checklist_id": self.checklist_id,
            "version": self.version,
            "version_id": self.version_id,
            "language": self.language,
            "score": None if self.score is None else round(self.score, 1),
            "items": [r.to_dict() for r in self.items],
            "word_choice": {
                "occurrences": [o.to_dict() for o in self.word_choice],
                "counts": counts,
            },
        }

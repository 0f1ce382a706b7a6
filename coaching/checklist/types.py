"""Checklist definitions (from YAML) and scoring results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from coaching.jsonable import JsonObject

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
    detector: JsonObject
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

    def to_dict(self) -> JsonObject:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "quote": self.quote,
            "speaker": self.speaker,
            "role": self.role,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            quote=str(data["quote"]),
            speaker=data.get("speaker"),
            role=str(data.get("role", "match")),
        )


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
    details: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemResult:
        """The inverse of :meth:`to_dict`: keys it does not name go back into ``details``."""
        return cls(
            id=str(data["id"]),
            label=str(data["label"]),
            phase=str(data["phase"]),
            category=str(data["category"]),
            weight=float(data["weight"]),
            detector=str(data["detector"]),
            passed=data["passed"],
            confidence=float(data["confidence"]),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            suggestion=data.get("suggestion"),
            reason=str(data.get("reason", "")),
            details={k: v for k, v in data.items() if k not in _ITEM_KEYS},
        )


_ITEM_KEYS = frozenset(f.name for f in fields(ItemResult))


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

    def to_dict(self) -> JsonObject:
        return {
            "phrase": self.phrase,
            "pattern": self.pattern,
            "category": self.category,
            "speaker": self.speaker,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "explained": self.explained,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WordOccurrence:
        return cls(
            phrase=str(data["phrase"]),
            pattern=str(data["pattern"]),
            category=str(data["category"]),
            speaker=str(data["speaker"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            explained=data.get("explained"),
        )


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

    def to_dict(self) -> JsonObject:
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChecklistResult:
        """The inverse of :meth:`to_dict` (``word_choice.counts`` is derived, so it is not read)."""
        return cls(
            checklist_id=str(data["checklist_id"]),
            version=int(data["version"]),
            version_id=str(data["version_id"]),
            language=str(data["language"]),
            score=None if data.get("score") is None else float(data["score"]),
            items=tuple(ItemResult.from_dict(i) for i in data.get("items", ())),
            word_choice=tuple(
                WordOccurrence.from_dict(o) for o in (data.get("word_choice") or {}).get("occurrences", ())
            ),
        )

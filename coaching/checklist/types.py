"""Checklist definitions (from YAML) and scoring results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from coaching.checklist.quality import TranscriptQuality, quality_from_dict
from coaching.jsonable import JsonObject

CATEGORIES: tuple[str, ...] = ("attentive", "cognitive", "affective", "solution", "clarity", "respect", "delivery")
PHASES: tuple[str, ...] = ("opening", "discovery", "solution", "closing", "throughout")
DETECTOR_TYPES: tuple[str, ...] = ("phrases", "absence", "sequence", "jargon", "talk_ratio", "dead_air", "manual")
# what an item's result is, in the JSON's ``status``: uncertain = a phrase not heard in a low-quality transcript
ITEM_STATUSES: tuple[str, ...] = ("passed", "failed", "uncertain", "not_applicable", "manual")


def counts_in_score(passed: bool | None, weight: float) -> bool:
    """Whether an item result counts in the score: it has a result (True/False) and a weight."""
    return isinstance(passed, bool) and weight > 0


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
    """The outcome of one item: passed is None when not applicable, manual or ``uncertain`` (see :attr:`status`)."""

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
    uncertain: bool = False  # not failed: the transcript is too unsure to say the phrase was not said

    @property
    def status(self) -> str:
        """One of :data:`ITEM_STATUSES`."""
        if self.passed is not None:
            return "passed" if self.passed else "failed"
        if self.uncertain:
            return "uncertain"
        return "manual" if self.detector == "manual" else "not_applicable"

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
            "status": self.status,
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
            uncertain=data.get("status") == "uncertain",
        )


_ITEM_KEYS = frozenset(f.name for f in fields(ItemResult)) | {"status"}


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
    quality: TranscriptQuality | None = None  # the transcript quality the items were judged with

    def item(self, item_id: str) -> ItemResult:
        return next(r for r in self.items if r.id == item_id)

    @property
    def scored_items(self) -> int:
        """How many items the score stands on (:func:`counts_in_score`)."""
        return sum(1 for r in self.items if counts_in_score(r.passed, r.weight))

    @property
    def total_items(self) -> int:
        """How many items could count in the score (those with a weight)."""
        return sum(1 for r in self.items if r.weight > 0)

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
            "scored_items": self.scored_items,
            "total_items": self.total_items,
            "uncertain_items": sum(1 for r in self.items if r.uncertain),
            **({} if self.quality is None else {"transcript_quality": self.quality.to_dict()}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChecklistResult:
        """The inverse of :meth:`to_dict` (``word_choice.counts`` and the item counts are derived, so not read)."""
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
            quality=quality_from_dict(data["transcript_quality"]) if data.get("transcript_quality") else None,
        )

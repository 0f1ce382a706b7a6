"""People's views laid over an automatic checklist result: coach overrides and agent responses.

Overrides and responses never change the stored automatic result; :func:`apply_reviews` lays them over it,
so the automatic result, the coach's view and the agent's view stay comparable (calibration). The score of a
reviewed result comes from the same rule as the automatic one (:func:`coaching.checklist.scoring.weighted_score`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from coaching.checklist.scoring import weighted_score
from coaching.checklist.types import ChecklistResult, ItemResult, counts_in_score
from coaching.errors import NotFoundError

OVERRIDE = "override"
RESPONSE = "response"
ACKNOWLEDGE = "acknowledge"
DISPUTE = "dispute"


@dataclass(frozen=True)
class Review:
    """The newest override (coach side) or response (agent side) of one item."""

    item_id: str
    kind: str
    passed: bool | None
    auto_passed: bool | None
    reason: str
    author_id: str
    created_at: datetime


Reviews = Mapping[tuple[str, str], Review]


def side_of(kind: str) -> str:
    """Overrides are the coach side; acknowledge and dispute the agent side."""
    return OVERRIDE if kind == OVERRIDE else RESPONSE


def effective_passed(auto_passed: bool | None, override: Review | None) -> bool | None:
    """The result a person sees: the coach's override when there is one, else the automatic result."""
    if override is not None and override.passed is not None:
        return override.passed
    return auto_passed


@dataclass(frozen=True)
class ReviewedItem:
    """One item as people see it: the automatic result, the coach's override and the agent's response."""

    result: ItemResult
    passed: bool | None  # the coach's override when there is one, else the automatic result
    override: Review | None
    response: Review | None

    @property
    def id(self) -> str:
        return self.result.id

    @property
    def auto_passed(self) -> bool | None:
        return self.result.passed


@dataclass(frozen=True)
class ReviewedChecklist:
    """A checklist result with overrides laid over it; ``score`` by the same rule as the automatic score."""

    automatic: ChecklistResult
    items: tuple[ReviewedItem, ...]
    score: float | None

    @property
    def auto_score(self) -> float | None:
        return self.automatic.score

    @property
    def scored_items(self) -> int:
        """How many items :attr:`score` stands on (the results people see, by the score rule's
        :func:`~coaching.checklist.types.counts_in_score`)."""
        return sum(1 for i in self.items if counts_in_score(i.passed, i.result.weight))

    @property
    def total_items(self) -> int:
        return self.automatic.total_items

    def item(self, item_id: str) -> ReviewedItem:
        for reviewed in self.items:
            if reviewed.id == item_id:
                return reviewed
        raise NotFoundError(f"checklist {self.automatic.version_id!r} has no item {item_id!r}")


def reviewed_score(items: Iterable[tuple[bool | None, bool | None, float]], automatic: float | None) -> float | None:
    """The score people see, from (automatic result, shown result, weight) per item: the automatic score unless a
    review changed a result, then :func:`~coaching.checklist.scoring.weighted_score` over the shown results."""
    rows = list(items)
    if all(auto == shown for auto, shown, _ in rows):
        return automatic
    return weighted_score((shown, weight) for _, shown, weight in rows)


def apply_reviews(result: ChecklistResult, reviews: Reviews) -> ReviewedChecklist:
    """The automatic ``result`` with each item's newest override and response; the score is recomputed with
    :func:`~coaching.checklist.scoring.weighted_score` when an override changed a result (else it is the automatic
    score, so an unchanged call never moves)."""
    items = []
    for item in result.items:
        override = reviews.get((item.id, OVERRIDE))
        shown = effective_passed(item.passed, override)
        items.append(
            ReviewedItem(
                result=item,
                passed=shown,
                override=None if override is None or override.passed is None else override,
                response=reviews.get((item.id, RESPONSE)),
            )
        )
    score = reviewed_score(((i.auto_passed, i.passed, i.result.weight) for i in items), result.score)
    return ReviewedChecklist(automatic=result, items=tuple(items), score=score)

"""People's views laid over an automatic checklist result: coach overrides and agent responses.

Overrides and responses never change the stored automatic result; :func:`apply_reviews` lays them over a copy,
so the automatic result, the coach's view and the agent's view stay comparable (calibration). The score of a
reviewed result comes from the same rule as the automatic one (:func:`coaching.checklist.scoring.weighted_score`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coaching.checklist.scoring import weighted_score

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


def apply_reviews(checklist: Mapping[str, Any], reviews: Reviews) -> dict[str, Any]:
    """A copy of the checklist JSON with overrides applied: each item gains ``auto_passed``, ``override``
    and ``response``; ``score`` is recomputed when anything was overridden and ``auto_score`` keeps the original.
    """
    result = copy.deepcopy(dict(checklist))
    changed = False
    for item in result.get("items", []):
        override = reviews.get((item.get("id"), OVERRIDE))
        response = reviews.get((item.get("id"), RESPONSE))
        item["auto_passed"] = item.get("passed")
        item["passed"] = effective_passed(item.get("passed"), override)
        item["override"] = None if override is None or override.passed is None else override.__dict__
        item["response"] = None if response is None else response.__dict__
        changed = changed or item["passed"] != item["auto_passed"]
    result["auto_score"] = checklist.get("score")
    if changed:
        result["score"] = weighted_score(
            (i.get("passed"), float(i.get("weight", 1.0))) for i in result.get("items", [])
        )
    return result

"""One score rule: automatic results, coach overrides and re-scoring all score through the same function."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from coaching.analysis.scoring import rescore, score_call
from coaching.checklist import load_checklist, parse_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.checklist.reviews import OVERRIDE, Review, apply_reviews
from coaching.checklist.scoring import overall_score, weighted_score
from coaching.models import CallInfo
from tests.unit.test_checklist_helpers import call
from tests.unit.test_checklist_scoring import GOOD_EN

INFO = CallInfo("call-x", "anna", 45.0, "en", "0" * 64, "left", "fixed")


def _override(item_id: str, passed: bool | None) -> dict[tuple[str, str], Review]:
    review = Review(item_id, OVERRIDE, passed, None, "listened to the call", "coach", datetime.now(UTC))
    return {(item_id, OVERRIDE): review}


@pytest.fixture(autouse=True)
def _no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)


def test_the_rule_leaves_out_items_without_a_result_and_weightless_items_and_rounds_to_a_tenth() -> None:
    assert weighted_score([(True, 2.0), (False, 1.0), (None, 5.0), (False, 0.0)]) == 66.7
    assert weighted_score([(None, 1.0)]) is None
    assert weighted_score([]) is None


def test_an_override_is_scored_by_the_same_rule_as_the_automatic_result() -> None:
    analysis = score_call(INFO, call("en", GOOD_EN), checklist=load_checklist())
    automatic = analysis.checklist
    passed_item = next(i for i in automatic.items if i.passed is True and i.weight > 0)
    flipped = tuple(replace(i, passed=False) if i.id == passed_item.id else i for i in automatic.items)

    reviewed = apply_reviews(automatic, _override(passed_item.id, False))

    assert reviewed.score == overall_score(flipped)
    assert reviewed.score is not None and automatic.score is not None and reviewed.score < automatic.score
    assert reviewed.auto_score == automatic.score
    same = apply_reviews(automatic, _override(passed_item.id, True))
    assert same.score == automatic.score  # confirming the automatic result changes nothing


def test_rescoring_with_another_version_reuses_the_metrics_and_names_the_version() -> None:
    first = score_call(INFO, call("en", GOOD_EN), checklist=load_checklist())
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    newer = parse_checklist(text)
    again = rescore(first, checklist=newer)
    assert again.metrics is first.metrics and again.transcript is first.transcript
    assert again.checklist.version_id == newer.version_id != first.checklist.version_id
    assert again.checklist.score == first.checklist.score  # same items, same words: same score

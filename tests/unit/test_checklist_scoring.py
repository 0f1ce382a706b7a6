"""Scores, metric rules, manual items, word choice and the JSON contract."""

from __future__ import annotations

from collections.abc import Sequence

import jsonschema
import numpy as np
import pytest

from coaching.checklist import checklist_json_schema, load_checklist, parse_checklist, score_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.checklist.semantic import SemanticMatcher
from coaching.errors import ChecklistError
from tests.unit.test_checklist_helpers import call, measured

GOOD_EN = [
    ("agent", "Good morning, my name is Anna. How can I help you?"),
    ("customer", "I lost my job and I cannot pay the bill."),
    ("agent", "I understand, that sounds difficult. Could you tell me more?"),
    ("customer", "Money is tight until I find work."),
    ("agent", "We can set up a payment plan. What would work for you?"),
    ("customer", "Fifty euros a month."),
    ("agent", "So we agree that you pay fifty euros a month. I will send a confirmation today."),
    ("customer", "Good."),
    ("agent", "Is there anything else? Thank you for calling, have a nice day."),
]


def test_result_validates_against_schema_and_has_contract_fields() -> None:
    transcript = call("en", GOOD_EN)
    result = score_checklist(transcript=transcript, metrics=measured(transcript, talk_ratio_agent=0.5), semantic=None)
    data = result.to_dict()
    jsonschema.validate(data, checklist_json_schema())
    assert data["checklist_id"] == "empathy-default" and data["version"] == 1
    for item in data["items"]:
        assert {"id", "label", "passed", "confidence", "evidence", "suggestion"} <= set(item)
    assert data["score"] == 100.0


def test_metric_rules_and_missing_metrics() -> None:
    transcript = call("en", GOOD_EN)
    missing = score_checklist(transcript=transcript, metrics=None, semantic=None)
    assert missing.item("balance").passed is None and missing.item("respect_time").passed is None
    metrics = measured(transcript, talk_ratio_agent=0.72, silences_s=((50.0, 62.5),))
    scored = score_checklist(transcript=transcript, metrics=metrics, semantic=None)
    assert scored.item("balance").passed is False
    dead_air = scored.item("respect_time")
    assert dead_air.passed is False and dead_air.evidence[0].start_s == 50.0
    assert dead_air.suggestion is not None and dead_air.suggestion.startswith("At 0:50")


def test_announced_hold_excuses_a_long_silence() -> None:
    turns = [("agent", "One moment, let me check your details."), ("customer", "Okay.")]
    transcript = call("en", turns, gap_s=12.0)  # agent ends at 4.5 s, customer starts at 16.5 s
    metrics = measured(transcript, silences_s=((4.5, 16.5),))
    item = score_checklist(transcript=transcript, metrics=metrics, semantic=None).item("respect_time")
    assert item.passed is True and item.evidence[0].quote == "let me check"


def test_overall_score_is_weighted_and_skips_not_applicable() -> None:
    poor = [("agent", "Hello. You should have paid on time."), ("customer", "I know."), ("agent", "Bye.")]
    result = score_checklist(transcript=call("en", poor), metrics=None, semantic=None)
    checklist = load_checklist()
    applicable = [r for r in result.items if r.passed is not None]
    expected = 100 * sum(r.weight for r in applicable if r.passed) / sum(r.weight for r in applicable)
    assert result.score == pytest.approx(expected)
    assert {r.id for r in result.items if r.passed is None} >= {"balance", "respect_time", "plain_language"}
    assert result.item("no_blame").passed is False
    assert result.item("no_blame").evidence[0].quote == "should have"
    assert len(result.items) == len(checklist.items)


def test_manual_item_is_null_and_left_out_of_the_score() -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "      type: talk_ratio\n      min: 0.40\n      max: 0.60\n", "      type: manual\n"
    )
    checklist = parse_checklist(text)
    result = score_checklist(
        transcript=call("en", GOOD_EN),
        metrics=measured(call("en", GOOD_EN), talk_ratio_agent=0.9),
        checklist=checklist,
        semantic=None,
    )
    manual = result.item("balance")
    assert manual.passed is None and manual.detector == "manual" and manual.suggestion is None
    assert result.version_id == checklist.version_id != load_checklist().version_id


def test_word_choice_lists_each_occurrence_with_speaker_and_time() -> None:
    turns = [
        ("agent", "Tota, teidän olisi pitänyt maksaa. Summaan lisätään perintäkulut."),
        ("customer", "Olen työtön."),
    ]
    result = score_checklist(transcript=call("fi", turns), metrics=None, semantic=None)
    occ = {(o.category, o.phrase, o.speaker) for o in result.word_choice}
    assert ("filler", "Tota,", "agent") in occ
    assert ("blame", "olisi pitänyt", "agent") in occ
    assert ("hardship", "työtön.", "customer") in occ
    jargon = [o for o in result.word_choice if o.category == "jargon"]
    assert [o.explained for o in jargon] == [False]
    assert result.item("plain_language").passed is False


def test_unsupported_language_raises() -> None:
    with pytest.raises(ChecklistError, match="'de'"):
        score_checklist(transcript=call("de", GOOD_EN), metrics=None, semantic=None)


class KeywordEmbedder:
    """A tiny stand-in model: one dimension per keyword, so similarity is predictable."""

    KEYS = ("plan", "month", "hello", "amount")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [[float(k in t.lower()) for k in self.KEYS] + [0.1] for t in texts]
        arr = np.array(rows, dtype=np.float32)
        return arr / np.linalg.norm(arr, axis=1, keepdims=True)


def test_semantic_matcher_is_pluggable_and_used_only_without_a_phrase() -> None:
    matcher = SemanticMatcher(
        embedder=KeywordEmbedder(),
        positives={"options": ["a plan by month"]},
        negatives=["hello there", "the amount is"],
        thresholds={"options": 0.1},
    )
    turns = [("customer", "Help."), ("agent", "Pick a monthly plan that suits your month.")]
    result = score_checklist(transcript=call("en", turns), metrics=None, semantic=matcher)
    options = result.item("options")
    assert options.passed is True and options.reason.startswith("paraphrase")
    assert options.evidence[0].role == "semantic"
    without = score_checklist(transcript=call("en", turns), metrics=None, semantic=None)
    assert without.item("options").passed is False

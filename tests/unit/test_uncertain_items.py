"""Honest uncertainty: transcript quality per speaker, uncertain phrase items, and what the score stands on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import jsonschema
import pytest

from coaching.analysis.report import analysis_from_dict, analysis_json_schema, analysis_to_dict
from coaching.analysis.scoring import rescore, score_call
from coaching.checklist import checklist_json_schema, load_checklist, score_checklist
from coaching.checklist.quality import LOW_PROBABILITY, LOW_QUALITY_SHARE, speaker_quality
from coaching.checklist.reviews import OVERRIDE, Review, apply_reviews
from coaching.checklist.scoring import transcript_quality, weighted_score
from coaching.checklist.types import ChecklistResult
from coaching.models import CallInfo, Segment, Speaker, Transcript
from tests.unit.test_checklist_helpers import call, measured

# the agent never says goodbye or asks "anything else": closing and check find no phrase
NO_CLOSING = [
    ("agent", "Good morning, my name is Anna. How can I help you?"),
    ("customer", "I got a letter about my bill."),
    ("agent", "We can set up a payment plan. What would work for you?"),
    ("customer", "Fifty euros a month."),
    ("agent", "So we agree that you pay fifty euros a month."),
]


def _unsure(transcript: Transcript, speaker: Speaker, probability: float) -> Transcript:
    """``transcript`` with every word of ``speaker`` recognised at ``probability``."""

    def seg(s: Segment) -> Segment:
        if s.speaker != speaker:
            return s
        return replace(s, words=tuple(replace(w, probability=probability) for w in s.words))

    return replace(transcript, segments=tuple(seg(s) for s in transcript.segments))


def _score(transcript: Transcript) -> ChecklistResult:
    return score_checklist(transcript=transcript, metrics=measured(transcript, talk_ratio_agent=0.5), semantic=None)


LOW = LOW_PROBABILITY / 2  # every agent word well below the threshold


def test_speaker_quality_counts_words_below_the_threshold_and_their_mean() -> None:
    q = speaker_quality([0.9, 0.2, LOW_PROBABILITY, 0.1])
    assert q.words == 4 and q.low_probability_words == 2  # a word at the threshold is not low
    assert q.low_probability_share == pytest.approx(0.5)
    assert q.mean_probability == pytest.approx((0.9 + 0.2 + LOW_PROBABILITY + 0.1) / 4)
    empty = speaker_quality([])
    assert empty.words == 0 and empty.low_probability_share is None and empty.mean_probability is None


def test_transcript_quality_is_per_speaker() -> None:
    transcript = _unsure(call("en", NO_CLOSING), "agent", LOW)
    quality = transcript_quality(transcript)
    agent_words = sum(len(s.words) for s in transcript.segments_of("agent"))
    assert quality.agent.words == agent_words and quality.agent.low_probability_share == 1.0
    assert quality.customer.low_probability_share == 0.0 and quality.customer.mean_probability == pytest.approx(0.9)
    assert quality.low("agent") and not quality.low("customer")


def test_unmatched_phrase_item_on_a_low_quality_transcript_is_uncertain_with_the_reason() -> None:
    result = _score(_unsure(call("en", NO_CLOSING), "agent", LOW))
    closing = result.item("closing")
    assert closing.passed is None and closing.uncertain and closing.status == "uncertain"
    assert "low transcript quality" in closing.reason and "100%" in closing.reason
    assert closing.suggestion is None  # no "say it like this" where the item did not fail with confidence
    assert closing.confidence == 0.0
    assert [e.role for e in closing.evidence] == ["expected"]  # still says where to listen
    assert result.quality is not None and result.quality.low("agent")


def test_the_same_call_transcribed_with_confidence_fails_the_item_with_a_suggestion() -> None:
    result = _score(call("en", NO_CLOSING))
    closing = result.item("closing")
    assert closing.passed is False and not closing.uncertain and closing.status == "failed"
    assert closing.suggestion and closing.confidence > 0.5
    assert all(not r.uncertain for r in result.items) and result.to_dict()["uncertain_items"] == 0


def test_a_matched_phrase_item_stays_passed_at_low_quality() -> None:
    low = _score(_unsure(call("en", NO_CLOSING), "agent", LOW))
    for item_id in ("greeting", "options", "agreement"):
        assert low.item(item_id).passed is True and low.item(item_id).status == "passed", item_id


def test_only_the_agents_transcript_quality_makes_phrase_items_uncertain() -> None:
    result = _score(_unsure(call("en", NO_CLOSING), "customer", LOW))
    assert result.item("closing").passed is False


def test_a_quality_just_inside_the_threshold_keeps_the_failure() -> None:
    turns = NO_CLOSING
    transcript = call("en", turns)
    agent_words = [w for s in transcript.segments_of("agent") for w in s.words]
    keep_low = int(LOW_QUALITY_SHARE * len(agent_words))  # share <= the threshold: not low quality
    low_words = {id(w) for w in agent_words[:keep_low]}
    segments = tuple(
        replace(s, words=tuple(replace(w, probability=LOW) if id(w) in low_words else w for w in s.words))
        for s in transcript.segments
    )
    result = _score(replace(transcript, segments=segments))
    assert result.quality is not None and not result.quality.low("agent")
    assert result.item("closing").passed is False


def test_the_score_says_on_how_many_items_it_stands() -> None:
    confident = _score(call("en", NO_CLOSING))
    unsure = _score(_unsure(call("en", NO_CLOSING), "agent", LOW))
    uncertain = [r for r in unsure.items if r.uncertain]
    assert {r.id for r in uncertain} >= {"closing", "check"}
    assert unsure.total_items == confident.total_items == sum(1 for r in unsure.items if r.weight > 0)
    assert unsure.scored_items == confident.scored_items - len(uncertain)
    assert unsure.score == weighted_score((r.passed, r.weight) for r in unsure.items)
    assert confident.score is not None and unsure.score is not None and unsure.score > confident.score
    data = unsure.to_dict()
    assert (data["scored_items"], data["total_items"], data["uncertain_items"]) == (
        unsure.scored_items,
        unsure.total_items,
        len(uncertain),
    )


def test_a_coach_deciding_an_uncertain_item_adds_it_to_what_the_score_stands_on() -> None:
    unsure = _score(_unsure(call("en", NO_CLOSING), "agent", LOW))
    review = Review("closing", OVERRIDE, False, None, "listened: no goodbye", "coach", datetime.now(UTC))
    reviewed = apply_reviews(unsure, {("closing", OVERRIDE): review})
    assert reviewed.scored_items == unsure.scored_items + 1 and reviewed.total_items == unsure.total_items
    assert reviewed.score is not None and unsure.score is not None and reviewed.score < unsure.score


def test_uncertain_items_and_quality_follow_the_json_schemas_and_read_back() -> None:
    unsure = _score(_unsure(call("en", NO_CLOSING), "agent", LOW))
    data = unsure.to_dict()
    jsonschema.validate(data, checklist_json_schema())
    assert data["transcript_quality"]["speakers"]["agent"]["low_quality"] is True
    assert data["transcript_quality"]["low_probability"] == LOW_PROBABILITY
    assert {i["status"] for i in data["items"]} >= {"passed", "uncertain"}
    again = ChecklistResult.from_dict(data)
    assert again.to_dict() == data
    assert [r.uncertain for r in again.items] == [r.uncertain for r in unsure.items]
    assert again.quality is not None and again.quality.low("agent")
    bad = {**data, "items": [{**data["items"][0], "status": "maybe"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, checklist_json_schema())


def test_rescoring_a_call_read_back_from_its_json_gives_the_same_result() -> None:
    info = CallInfo("call-u", "anna", 30.0, "en", "0" * 64, "left", "fixed")
    first = score_call(info, _unsure(call("en", NO_CLOSING), "agent", LOW), checklist=load_checklist())
    data = analysis_to_dict(first)
    jsonschema.validate(data, analysis_json_schema())
    again = rescore(analysis_from_dict(data), checklist=load_checklist())
    assert again.checklist.to_dict() == first.checklist.to_dict()
    assert again.checklist.item("closing").status == "uncertain"


@pytest.fixture(autouse=True)
def _no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)

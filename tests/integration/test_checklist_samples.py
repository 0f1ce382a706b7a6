"""The synthetic good and poor sample calls (ground-truth transcripts) in three languages."""

from __future__ import annotations

import jsonschema
import pytest

from coaching.checklist import ChecklistResult, checklist_json_schema, score_checklist
from coaching.metrics.types import CallMetrics
from coaching.models import Transcript
from tests.unit.test_checklist_helpers import measured

truth = pytest.importorskip("audio_samples.truth", reason="audio_samples/truth.py (sample calls) is not present")


def _load(name: str) -> tuple[Transcript, CallMetrics]:
    if not truth.truth_path(name).is_file():
        pytest.skip(f"sample ground truth {name}.json is not generated yet")
    data = truth.load_truth(name)
    transcript = truth.truth_transcript(name)
    # the metric rules read the ground truth's talk ratio and silences (independent of the metrics module)
    silences = tuple((g["start_s"], g["end_s"]) for g in data["silences_over_5s"])
    return transcript, measured(transcript, talk_ratio_agent=data["talk_ratio_agent"], silences_s=silences)


def _score(name: str) -> tuple[Transcript, ChecklistResult]:
    transcript, metrics = _load(name)
    return transcript, score_checklist(transcript=transcript, metrics=metrics)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_good_call_beats_poor_call_and_key_items_decide(language: str) -> None:
    good_transcript, good = _score(f"{language}_good")
    poor_transcript, poor = _score(f"{language}_poor")
    assert good.score is not None and poor.score is not None
    assert good.score >= poor.score + 20
    for item_id in ("acknowledge", "options", "next_steps"):
        item = good.item(item_id)
        assert item.passed is True and item.evidence, item_id
    blame = poor.item("no_blame")
    assert blame.passed is False and blame.evidence
    assert blame.suggestion is not None and blame.evidence[0].quote in blame.suggestion
    for transcript, result in ((good_transcript, good), (poor_transcript, poor)):
        jsonschema.validate(result.to_dict(), checklist_json_schema())
        _assert_evidence_inside_quoted_words(transcript, result)


def _assert_evidence_inside_quoted_words(transcript: Transcript, result: ChecklistResult) -> None:
    """Each quote is a run of consecutive spoken words, and its times are exactly theirs."""
    words = {s: [w for seg in transcript.segments_of(s) for w in seg.words] for s in ("agent", "customer")}
    checked = 0
    for item in result.items:
        for ev in item.evidence:
            if ev.role == "gap":
                continue
            assert ev.speaker in words, (item.id, ev)
            run = [w for w in words[ev.speaker] if ev.start_s <= w.start_s and w.end_s <= ev.end_s]
            assert run, (item.id, ev)
            assert run[0].start_s == pytest.approx(ev.start_s) and run[-1].end_s == pytest.approx(ev.end_s)
            assert " ".join(w.word.strip() for w in run) == ev.quote, (item.id, ev.quote)
            checked += 1
    for occ in result.word_choice:
        inside = [w for w in words[occ.speaker] if occ.start_s <= w.start_s and w.end_s <= occ.end_s]
        assert " ".join(w.word.strip() for w in inside) == occ.phrase
    assert checked > 0

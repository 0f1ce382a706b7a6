"""Word-choice metrics: questions, fillers, customer-state words and the customer trajectory."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.language import load_lexicon, phrase_spans
from coaching.metrics.compute import SpeakerSignals, compute_metrics
from coaching.metrics.words import classify_question
from coaching.models import Segment
from tests.unit.test_metrics import make_transcript, seg, words_over

QUESTIONS = [
    # (language, sentence, expected kind or None)
    ("en", "How can I help you today?", "open"),
    ("en", "Could you tell me more about that?", "open"),
    ("en", "And what would work for you?", "open"),
    ("en", "Is there anything else?", "closed"),
    ("en", "Do you have a job at the moment", "closed"),  # no "?" but a yes/no opener
    ("en", "What we can do is set up a plan.", None),  # wh-word statement
    ("en", "Have a nice day.", None),
    ("fi", "Miten voin auttaa?", "open"),
    ("fi", "Kertoisitteko lisää tilanteestanne?", "open"),
    ("fi", "Eli paljonko pystyisitte maksamaan kuussa?", "open"),
    ("fi", "Onko vielä jotain muuta", "closed"),  # -ko clitic, no "?"
    ("fi", "Sopiiko se teille?", "closed"),
    ("fi", "Koko summa on maksettava.", None),  # koko ends in -ko but is no question
    ("fi", "Lähetän vahvistuksen sähköpostiin.", None),
    ("sv", "Vad skulle passa dig?", "open"),
    ("sv", "Kan du berätta mer om din situation?", "open"),
    ("sv", "Finns det något mer?", "closed"),
    ("sv", "Var det något mer", "closed"),
    ("sv", "Vi kan göra en betalningsplan.", None),
]


@pytest.mark.parametrize(("language", "sentence", "expected"), QUESTIONS)
def test_questions_open_closed_or_none(language: str, sentence: str, expected: str | None) -> None:
    words = words_over(sentence, 0.0, 3.0)
    assert classify_question(words=words, lexicon=load_lexicon(language)) == expected


def test_agent_questions_with_times_and_counts() -> None:
    agent = seg("agent", 10.0, 16.0, "Hello. How can I help? Is it about the bill?")
    customer = seg("customer", 17.0, 19.0, "What is this letter?")  # customer questions are not counted
    q = compute_metrics(transcript=make_transcript([agent, customer])).questions
    assert (q.open_count, q.closed_count) == (1, 1)
    assert [(i.kind, i.text) for i in q.items] == [("open", "How can I help?"), ("closed", "Is it about the bill?")]
    assert q.items[0].start_s == pytest.approx(10.0 + 6.0 / 10 * 1)  # second of 10 evenly spread words
    assert q.items[1].end_s == pytest.approx(16.0)


def test_no_open_question_is_below_the_norm() -> None:
    m = compute_metrics(transcript=make_transcript([seg("agent", 0.0, 3.0, "Is that all?")]))
    assert m.norms["open_questions"].status == "below"


def test_fillers_per_language_with_times_and_rate() -> None:
    agent = seg("agent", 0.0, 12.0, "um so you know the uh plan is, um, fine")  # 10 words, 1.2 s each
    m = compute_metrics(transcript=make_transcript([agent]))
    f = m.speakers.agent.fillers
    assert [(i.text, i.start_s) for i in f.items] == [
        ("um", 0.0),
        ("you know", pytest.approx(2.4)),
        ("uh", pytest.approx(6.0)),
        ("um,", pytest.approx(9.6)),
    ]
    assert f.per_minute == pytest.approx(4 / 12 * 60)
    assert m.norms["agent_fillers_per_minute"].status == "above"

    fi = compute_metrics(transcript=make_transcript([seg("agent", 0.0, 6.0, "no tota niinku öö selvä")], language="fi"))
    assert [i.text for i in fi.speakers.agent.fillers.items] == ["tota", "niinku", "öö"]
    sv = compute_metrics(transcript=make_transcript([seg("agent", 0.0, 6.0, "öh det är liksom bra")], language="sv"))
    assert [i.text for i in sv.speakers.agent.fillers.items] == ["öh", "liksom"]


def test_state_phrases_match_inflected_finnish_and_longest_first() -> None:
    lexicon = load_lexicon("fi")
    tokens = ["jäin", "työttömäksi", "ja", "olen", "huolissani", "kiitos", "kiitoksia"]
    assert phrase_spans(tokens=tokens, phrases=lexicon.states["hardship"]) == [(1, 2)]
    assert phrase_spans(tokens=tokens, phrases=lexicon.states["worry"]) == [(4, 5)]
    assert phrase_spans(tokens=tokens, phrases=lexicon.states["thanks"]) == [(5, 6), (6, 7)]
    en = load_lexicon("en")
    assert phrase_spans(tokens=["i", "lost", "my", "job"], phrases=en.states["hardship"]) == [(1, 4)]


def _call(customer_lines: list[tuple[float, float, str]]) -> list[Segment]:
    return [seg("agent", 0.0, 2.0, "hello")] + [seg("customer", a, b, text) for a, b, text in customer_lines]


def test_trajectory_improves_when_worry_gives_way_to_thanks() -> None:
    lines = [(3.0, 8.0, "I lost my job and I am worried"), (50.0, 55.0, "thank you that helps a lot")]
    t = make_transcript([*_call(lines), seg("agent", 56.0, 60.0, "bye now")])
    tr = compute_metrics(transcript=t).customer_trajectory
    assert (tr.first_third.counts.hardship, tr.first_third.counts.worry) == (1, 1)
    assert (tr.last_third.counts.thanks, tr.last_third.counts.relief) == (1, 1)
    assert (tr.first_third.balance, tr.last_third.balance, tr.balance_change) == (-1, 2, 3)  # hardship not weighed
    assert tr.direction == "improved"
    assert sum(w.counts.worry + w.counts.thanks + w.counts.relief + w.counts.hardship for w in tr.series) == 4
    assert [h.category for h in tr.hits] == ["hardship", "worry", "thanks", "relief"]


def test_trajectory_worsens_and_no_evidence() -> None:
    lines = [(3.0, 8.0, "thanks for calling back"), (50.0, 55.0, "this is ridiculous and unfair")]
    t = make_transcript([*_call(lines), seg("agent", 56.0, 60.0, "bye now")])
    tr = compute_metrics(transcript=t).customer_trajectory
    assert (tr.balance_change, tr.direction) == (-3, "worsened")
    quiet = make_transcript(_call([(3.0, 8.0, "I lost my job"), (50.0, 55.0, "okay")]))
    assert compute_metrics(transcript=quiet).customer_trajectory.direction == "no_evidence"


def test_customer_voice_is_measured_against_the_customers_own_baseline() -> None:
    # customer voice: 100 Hz at amplitude 0.1 in the first third, ~119 Hz (+3 st) at 0.2 (+6 dB) in the last
    sr = 16_000
    time_s = np.arange(30 * sr) / sr
    f0 = np.where(time_s < 15, 100.0, 100.0 * 2 ** (3 / 12))
    amplitude = np.where(time_s < 15, 0.1, 0.2)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    customer = (amplitude * (np.sin(phase) + 0.5 * np.sin(2 * phase))).astype(np.float32)
    customer += (0.001 * np.random.default_rng(7).standard_normal(customer.size)).astype(np.float32)
    t = make_transcript([seg("customer", 0.0, 9.0, "a b c"), seg("customer", 21.0, 30.0, "d e f")])
    signals = SpeakerSignals(sample_rate_hz=sr, agent=np.zeros_like(customer), customer=customer)
    tr = compute_metrics(transcript=t, signals=signals).customer_trajectory
    assert tr.pitch_change_st == pytest.approx(3.0, abs=0.2)
    assert tr.energy_change_db == pytest.approx(20 * np.log10(2), abs=0.5)
    assert tr.first_third.customer_talk_s == pytest.approx(9.0)
    assert tr.series[4].pitch_st_vs_baseline is None  # 13.3–16.7 s: the customer is silent

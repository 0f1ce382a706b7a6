"""coaching.asr.guard on fixed segments, the suspect mark in the checklist and in the analysis JSON."""

from __future__ import annotations

from dataclasses import replace

import jsonschema
import pytest

from coaching.analysis.report import analysis_from_dict, analysis_json_schema, analysis_to_dict
from coaching.analysis.scoring import score_call
from coaching.asr.guard import (
    COMPRESSION_RATIO_MAX,
    END_WORD_MIN_PROBABILITY,
    LOW_AVG_LOGPROB_MAX,
    LOW_PROBABILITY_END,
    NO_SPEECH,
    NO_SPEECH_MAX_WORDS,
    NO_SPEECH_MIN_PROBABILITY,
    OUTSIDE_SPEECH,
    REPEAT_KEPT,
    REPEAT_MIN_RUN,
    REPEATED,
    REPETITIVE_SEGMENT,
    SPEECH_TOLERANCE_S,
    drop_repeats,
    guard_segments,
)
from coaching.asr.transcriber import AsrSegment
from coaching.checklist import load_checklist, score_checklist
from coaching.models import CallInfo, Segment, Transcript, Word
from tests.unit.test_checklist_helpers import call


def words(text: str, *, start_s: float = 0.0, probability: float = 0.9, step_s: float = 0.5) -> tuple[Word, ...]:
    return tuple(
        Word(" " + token, round(start_s + i * step_s, 3), round(start_s + i * step_s + 0.4, 3), probability)
        for i, token in enumerate(text.split())
    )


def segment(ws: tuple[Word, ...], **stats: float) -> AsrSegment:
    return AsrSegment(ws[0].start_s, ws[-1].end_s, "".join(w.word for w in ws).strip(), ws, **stats)


def texts(segments: tuple[AsrSegment, ...]) -> list[str]:
    return [w.word.strip() for s in segments for w in s.words]


def test_an_invented_word_after_the_last_real_one_is_dropped() -> None:
    """The real fault: "Katsotaan." after a list of words, in its own segment Whisper rates as doubtful."""
    real = segment(words("veitsi kala oranssi mansikka"), no_speech_probability=0.03, avg_logprob=-0.29)
    invented = segment(
        (Word(" Katsotaan.", 2.0, 2.26, 0.36),),
        no_speech_probability=NO_SPEECH_MIN_PROBABILITY + 0.18,
        avg_logprob=LOW_AVG_LOGPROB_MAX - 0.08,
    )
    result = guard_segments((real, invented), [(0.0, 2.6)])  # inside the speech span: only the segment tells
    assert texts(result.segments) == ["veitsi", "kala", "oranssi", "mansikka"]
    assert [(d.word.word, d.reason) for d in result.dropped] == [(" Katsotaan.", NO_SPEECH)]


def test_a_longer_doubted_segment_is_marked_not_dropped() -> None:
    """Measured: a real (espeak) five-word customer turn reached both no-speech figures; it must not be lost."""
    ws = words("jag får ett för kall")
    assert len(ws) > NO_SPEECH_MAX_WORDS
    seg = segment(ws, no_speech_probability=NO_SPEECH_MIN_PROBABILITY + 0.1, avg_logprob=LOW_AVG_LOGPROB_MAX - 0.1)
    result = guard_segments((seg,), [(0.0, 3.0)])
    assert not result.dropped
    assert [w.suspect for w in result.marked] == [NO_SPEECH] * len(ws)


@pytest.mark.parametrize(
    ("no_speech", "logprob"),
    [(NO_SPEECH_MIN_PROBABILITY + 0.3, LOW_AVG_LOGPROB_MAX + 0.2), (NO_SPEECH_MIN_PROBABILITY - 0.1, -1.5)],
)
def test_one_doubtful_figure_alone_drops_nothing(no_speech: float, logprob: float) -> None:
    """Real speech reached no-speech 0.77 (with a good log-probability): both figures must agree."""
    seg = segment(words("det står i vett"), no_speech_probability=no_speech, avg_logprob=logprob)
    result = guard_segments((seg,), [(0.0, 2.0)])
    assert texts(result.segments) == ["det", "står", "i", "vett"]
    assert not result.dropped


def test_words_outside_speech_are_dropped_within_a_tolerance() -> None:
    seg = segment(words("one two three four", start_s=1.0, step_s=1.0))  # 1-1.4, 2-2.4, 3-3.4, 4-4.4
    result = guard_segments((seg,), [(0.9, 2.5), (4.4 + SPEECH_TOLERANCE_S - 0.05, 6.0)])
    assert texts(result.segments) == ["one", "two", "four"]
    assert [(d.word.word.strip(), d.reason) for d in result.dropped] == [("three", OUTSIDE_SPEECH)]
    assert (result.segments[0].start_s, result.segments[0].end_s) == (1.0, 4.4)


def test_no_speech_spans_given_skips_that_check() -> None:
    seg = segment(words("one two", start_s=30.0))
    assert texts(guard_segments((seg,), None).segments) == ["one", "two"]
    assert guard_segments((seg,), []).segments == ()


def test_a_decoding_loop_keeps_its_first_repeats_only() -> None:
    loop = words("kiitos hei, hei, hei, hei, hei.")
    kept, dropped = drop_repeats(loop)
    assert [w.word.strip() for w in kept] == ["kiitos", *["hei,"] * REPEAT_KEPT]
    assert len(dropped) == 5 - REPEAT_KEPT
    phrase = words(" ".join(["hyvää päivää"] * REPEAT_MIN_RUN) + " kiitos")
    kept, dropped = drop_repeats(phrase)
    assert " ".join(w.word.strip() for w in kept) == " ".join(["hyvää päivää"] * REPEAT_KEPT) + " kiitos"


def test_words_said_a_few_times_stay() -> None:
    for text in ("hei hei", "joo joo joo", "no niin no niin no niin", "yksi kaksi yksi kaksi kolme"):
        kept, dropped = drop_repeats(words(text))
        assert [w.word.strip() for w in kept] == text.split() and not dropped
    result = guard_segments((segment(words("tammikuu " * REPEAT_MIN_RUN)),), [(0.0, 3.0)])
    assert [d.reason for d in result.dropped] == [REPEATED] * (REPEAT_MIN_RUN - REPEAT_KEPT)


def test_a_segment_that_compresses_too_well_is_marked() -> None:
    seg = segment(words("a b c"), compression_ratio=COMPRESSION_RATIO_MAX + 0.1)
    result = guard_segments((seg,), [(0.0, 2.0)])
    assert [w.suspect for s in result.segments for w in s.words] == [REPETITIVE_SEGMENT] * 3
    fine = guard_segments((segment(words("a b c"), compression_ratio=1.7),), [(0.0, 2.0)])
    assert not fine.marked


def test_low_probability_words_at_a_segment_end_are_marked() -> None:
    """The real fault: "Täällä." appended to a list of numbers, with a low probability."""
    numbers = words("yksi kaksi kolme neljä")
    appended = (Word(" Täällä.", 2.0, 2.3, END_WORD_MIN_PROBABILITY / 2),)
    result = guard_segments((segment(numbers + appended),), [(0.0, 2.5)])
    assert [(w.word.strip(), w.suspect) for w in result.marked] == [("Täällä.", LOW_PROBABILITY_END)]
    assert texts(result.segments) == ["yksi", "kaksi", "kolme", "neljä", "Täällä."]  # marked, not dropped


def test_only_the_last_low_probability_words_are_marked() -> None:
    low = END_WORD_MIN_PROBABILITY - 0.1
    ws = words("a b c d e", probability=0.9)
    ws = (
        replace(ws[0], probability=low),
        ws[1],
        replace(ws[2], probability=low),
        *(replace(w, probability=low) for w in ws[3:]),
    )
    result = guard_segments((segment(ws),), [(0.0, 3.0)])
    assert [w.word.strip() for w in result.marked] == ["d", "e"]  # at most two, from the end; "a" and "c" stay


def test_untimed_segments_pass() -> None:
    seg = AsrSegment(0.0, 2.0, "hello there", ())
    assert guard_segments((seg,), [(0.0, 2.0)]).segments == (seg,)


NEXT_STEPS_CALL = [
    ("agent", "Hyvää päivää, täällä Anna perintätoimistosta."),
    ("customer", "Hei, minulla on lasku myöhässä."),
    ("agent", "Selvä, summa on sata euroa."),
    ("customer", "Okei."),
    ("agent", "Katsotaan."),
]


def _marked_last_turn(transcript: Transcript, reason: str | None) -> Transcript:
    last = transcript.segments[-1]
    marked = replace(last, words=tuple(replace(w, suspect=reason) for w in last.words))
    return replace(transcript, segments=(*transcript.segments[:-1], marked))


def test_a_marked_word_is_never_quoted_as_evidence() -> None:
    """The real fault: an invented "Katsotaan." quoted as evidence for next_steps, check and closing."""
    transcript = call("fi", NEXT_STEPS_CALL)
    plain = score_checklist(transcript=transcript, metrics=None, semantic=None)
    assert any("Katsotaan" in e.quote for item in plain.items for e in item.evidence)  # the fault, unguarded
    marked = score_checklist(transcript=_marked_last_turn(transcript, LOW_PROBABILITY_END), metrics=None, semantic=None)
    assert not any("Katsotaan" in e.quote for item in marked.items for e in item.evidence)


def test_a_phrase_of_marked_words_alone_does_not_pass_an_item() -> None:
    turns = [*NEXT_STEPS_CALL[:-1], ("agent", "Kiitos soitosta ja hyvää päivänjatkoa, hei hei.")]
    transcript = call("fi", turns)
    assert score_checklist(transcript=transcript, metrics=None, semantic=None).item("closing").passed is True
    marked = _marked_last_turn(transcript, LOW_PROBABILITY_END)
    assert score_checklist(transcript=marked, metrics=None, semantic=None).item("closing").passed is not True
    # one trusted word beside marked ones is enough: the mark only forbids marked words as the sole evidence
    last = transcript.segments[-1]
    partly = replace(last, words=(last.words[0], *(replace(w, suspect=REPEATED) for w in last.words[1:])))
    partial = replace(transcript, segments=(*transcript.segments[:-1], partly))
    assert score_checklist(transcript=partial, metrics=None, semantic=None).item("closing").passed is True


def test_the_mark_is_an_optional_field_of_the_analysis_json() -> None:
    transcript = _marked_last_turn(call("fi", NEXT_STEPS_CALL), LOW_PROBABILITY_END)
    info = CallInfo("call-g", "anna", 30.0, "fi", "0" * 64, "left", "fixed")
    data = analysis_to_dict(score_call(info, transcript, checklist=load_checklist()))
    jsonschema.validate(data, analysis_json_schema())
    json_words = [w for s in data["transcript"]["segments"] for w in s["words"]]
    assert [w["suspect"] for w in json_words if "suspect" in w] == [LOW_PROBABILITY_END]  # absent when trusted
    back = analysis_from_dict(data).transcript
    assert [w.suspect for s in back.segments for w in s.words] == [
        w.suspect for s in transcript.segments for w in s.words
    ]
    old = Segment("agent", 0.0, 1.0, "hei", (Word(" hei", 0.0, 1.0, 0.9),))
    assert old.words[0].suspect is None  # JSON and callers from before the field read as trusted


@pytest.fixture(autouse=True)
def _no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)

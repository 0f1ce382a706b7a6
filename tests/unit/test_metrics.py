"""Conversation metrics on synthetic transcripts with hand-computed expectations."""

from __future__ import annotations

import json
from collections.abc import Sequence

import jsonschema
import numpy as np
import pytest

from coaching.errors import LanguageDataError
from coaching.metrics.compute import SpeakerSignals, compute_metrics, metrics_json_schema
from coaching.models import Segment, Speaker, SpeechSpan, Transcript, Word


def words_over(text: str, start_s: float, end_s: float) -> tuple[Word, ...]:
    """Words of ``text`` spread evenly over [start_s, end_s], whisper style (leading space)."""
    tokens = text.split()
    step_s = (end_s - start_s) / len(tokens)
    return tuple(
        Word(word=" " + t, start_s=start_s + k * step_s, end_s=start_s + (k + 1) * step_s, probability=0.9)
        for k, t in enumerate(tokens)
    )


def seg(speaker: Speaker, start_s: float, end_s: float, text: str) -> Segment:
    return Segment(speaker=speaker, start_s=start_s, end_s=end_s, text=text, words=words_over(text, start_s, end_s))


def make_transcript(
    segments: Sequence[Segment],
    *,
    spans: Sequence[tuple[Speaker, float, float]] | None = None,
    language: str = "en",
    channel_mode: str = "left",
    confidence: float | None = None,
) -> Transcript:
    """A transcript whose speech spans are ``spans`` (default: one per segment)."""
    raw = spans if spans is not None else [(s.speaker, s.start_s, s.end_s) for s in segments]
    return Transcript(
        language=language,
        segments=tuple(sorted(segments, key=lambda s: s.start_s)),
        speech_spans=tuple(SpeechSpan(speaker=p, start_s=a, end_s=b) for p, a, b in sorted(raw, key=lambda r: r[1])),
        channel_mode=channel_mode,  # type: ignore[arg-type]
        diarization_confidence=confidence,
    )


def test_talk_ratio_comes_from_speech_spans_not_text_length() -> None:
    agent = seg("agent", 0.0, 30.0, "yes")  # 1 word, 30 s of speech
    customer = seg("customer", 31.0, 41.0, " ".join(["word"] * 40))  # 40 words, 10 s
    m = compute_metrics(transcript=make_transcript([agent, customer]))
    assert m.speakers.agent.talk_time_s == pytest.approx(30.0)
    assert m.speakers.customer.talk_time_s == pytest.approx(10.0)
    assert m.talk_ratio_agent == pytest.approx(0.75)
    assert m.norms["talk_ratio_agent"].status == "above"


def test_words_per_minute_and_syllables_per_second_of_talk_time() -> None:
    # 30 one-syllable words over 15 s of speech: 120 wpm, 2 syllables/s; "payment" x 10 adds 20 syllables
    agent = seg("agent", 0.0, 15.0, " ".join(["pay"] * 30))
    agent2 = seg("agent", 20.0, 25.0, " ".join(["payment"] * 10))
    m = compute_metrics(transcript=make_transcript([agent, agent2]))
    a = m.speakers.agent
    assert (a.words, a.syllables, a.talk_time_s) == (40, 50, pytest.approx(20.0))
    assert a.words_per_minute == pytest.approx(120.0)
    assert a.syllables_per_second == pytest.approx(2.5)
    assert a.articulation_turns == 2 and a.articulation_rate_sps == pytest.approx(50 / 20)


def test_articulation_rate_excludes_pauses_between_words() -> None:
    # one 12 s span; 16 one-syllable words in [0, 5] and [7, 12]: 2 s pause inside the span
    words = words_over(" ".join(["pay"] * 8), 0.0, 5.0) + words_over(" ".join(["pay"] * 8), 7.0, 12.0)
    agent = Segment(speaker="agent", start_s=0.0, end_s=12.0, text=" ".join(["pay"] * 16), words=words)
    m = compute_metrics(transcript=make_transcript([agent]))
    assert m.speakers.agent.syllables_per_second == pytest.approx(16 / 12)
    assert m.speakers.agent.articulation_rate_sps == pytest.approx(16 / 10)
    assert m.speakers.agent.phonation_s == pytest.approx(10.0)
    point = m.tempo_series[0]
    assert point.reliable and point.syllables_per_second == pytest.approx(1.6)


def test_short_turns_give_no_articulation_rate_but_still_a_series_point() -> None:
    m = compute_metrics(transcript=make_transcript([seg("agent", 0.0, 2.0, "hello there friend")]))
    assert m.speakers.agent.articulation_rate_sps is None
    assert [(p.words, p.reliable) for p in m.tempo_series] == [(3, False)]


def test_rate_matching_is_agent_rate_over_customer_rate() -> None:
    agent = seg("agent", 0.0, 4.0, " ".join(["pay"] * 12))  # 3 syll/s
    customer = seg("customer", 5.0, 11.0, " ".join(["pay"] * 12))  # 2 syll/s
    m = compute_metrics(transcript=make_transcript([agent, customer]))
    assert m.rate_matching == pytest.approx(1.5)
    assert m.norms["rate_matching"].status == "above"


def test_pauses_join_a_turn_unless_the_other_speaker_talks() -> None:
    joined = make_transcript(
        [seg("agent", 0.0, 10.0, "a b c"), seg("agent", 11.0, 20.0, "d e f"), seg("customer", 10.2, 10.6, "mm")]
    )
    m = compute_metrics(transcript=joined)
    assert m.longest_agent_monologue is not None
    assert (m.longest_agent_monologue.start_s, m.longest_agent_monologue.duration_s) == (0.0, 20.0)
    assert m.speakers.agent.turns == 1

    split = make_transcript(
        [seg("agent", 0.0, 10.0, "a b c"), seg("agent", 11.4, 20.0, "d e f"), seg("customer", 10.0, 11.3, "I see why")]
    )
    m = compute_metrics(transcript=split)
    assert m.longest_agent_monologue is not None and m.longest_agent_monologue.duration_s == pytest.approx(10.0)
    assert m.longest_customer_story is not None and m.longest_customer_story.duration_s == pytest.approx(1.3)
    assert m.speakers.agent.turns == 2


def test_overtalk_is_time_both_speak_above_the_minimum() -> None:
    t = make_transcript(
        [
            seg("agent", 0.0, 10.0, "one two three"),
            seg("customer", 8.0, 15.0, "four five six"),
            seg("agent", 14.9, 20.0, "seven eight"),  # 0.1 s: turn-taking, not overtalk
        ]
    )
    m = compute_metrics(transcript=t)
    assert m.overtalk.count == 1
    assert m.overtalk.total_s == pytest.approx(2.0)
    assert (m.overtalk.events[0].start_s, m.overtalk.events[0].end_s) == (8.0, 10.0)
    assert m.overtalk.share_of_talk == pytest.approx(2.0 / 20.0)


def test_agent_cutting_in_is_an_interruption_but_backchannels_are_not() -> None:
    customer = seg("customer", 0.0, 10.0, " ".join(["talk"] * 20))
    backchannel = seg("agent", 3.0, 3.4, "mm")
    short_word = seg("agent", 5.0, 5.5, "stop")  # short but not a backchannel word
    cut_in = seg("agent", 7.0, 9.0, "wait I need to say")
    m = compute_metrics(transcript=make_transcript([customer, backchannel, short_word, cut_in]))
    assert m.interruptions.count == 2
    assert m.interruptions.backchannels_excluded == 1
    assert [(e.start_s, e.text) for e in m.interruptions.events] == [(5.0, "stop"), (7.0, "wait I need to say")]
    assert m.interruptions.events[1].overlap_s == pytest.approx(2.0)
    assert m.norms["agent_interruptions"].status == "above"


def test_a_long_yes_is_not_a_backchannel_and_starting_at_the_end_is_not_an_interruption() -> None:
    customer = seg("customer", 0.0, 10.0, " ".join(["talk"] * 20))
    long_yes = seg("agent", 2.0, 3.5, "yes yes yes")  # backchannel words, but 1.5 s
    at_end = seg("agent", 9.9, 12.0, "right so here is the plan")  # customer goes on only 0.1 s
    m = compute_metrics(transcript=make_transcript([customer, long_yes, at_end]))
    assert [e.start_s for e in m.interruptions.events] == [2.0]


def test_customer_backchannels_are_counted_apart() -> None:
    agent = seg("agent", 0.0, 10.0, " ".join(["talk"] * 20))
    m = compute_metrics(transcript=make_transcript([agent, seg("customer", 4.0, 4.5, "joo")], language="fi"))
    assert (m.interruptions.by_customer_count, m.interruptions.customer_backchannels) == (0, 1)


def test_silences_over_5_s_are_listed_and_over_10_s_flagged() -> None:
    t = make_transcript(
        [
            seg("agent", 1.0, 5.0, "a"),
            seg("customer", 11.0, 15.0, "b"),  # 6 s gap
            seg("agent", 17.0, 20.0, "c"),  # 2 s gap
            seg("customer", 32.5, 35.0, "d"),  # 12.5 s gap
        ]
    )
    m = compute_metrics(transcript=t)
    assert [(g.start_s, g.end_s, g.duration_s, g.flagged) for g in m.silences] == [
        (5.0, 11.0, 6.0, False),
        (20.0, 32.5, 12.5, True),
    ]
    assert m.silence_summary.total_non_talk_s == pytest.approx(1.0 + 6.0 + 2.0 + 12.5)
    assert m.silence_summary.longest_gap_s == pytest.approx(12.5)
    assert (m.silence_summary.over_list_count, m.silence_summary.flagged_count) == (2, 1)
    assert m.norms["longest_silence_s"].status == "above"


def test_silence_at_the_end_of_the_audio_counts_when_its_length_is_known() -> None:
    t = make_transcript([seg("agent", 0.0, 4.0, "hello"), seg("customer", 4.5, 8.0, "hi")])
    silent = np.zeros(16_000 * 20, np.float32)
    m = compute_metrics(transcript=t, signals=SpeakerSignals(sample_rate_hz=16_000, agent=silent, customer=silent))
    assert [(g.start_s, g.end_s, g.flagged) for g in m.silences] == [(8.0, 20.0, True)]
    assert m.duration_s == pytest.approx(20.0)


def test_response_latency_median_and_max() -> None:
    t = make_transcript(
        [
            seg("customer", 0.0, 10.0, "my story"),
            seg("agent", 11.0, 20.0, "reply one"),  # waits 1 s
            seg("customer", 21.0, 30.0, "more story"),
            seg("agent", 33.0, 40.0, "reply two"),  # waits 3 s
            seg("customer", 41.0, 45.0, "and then"),
            seg("agent", 44.0, 50.0, "reply three"),  # starts before the customer ends: 0
        ]
    )
    latency = compute_metrics(transcript=t).response_latency
    assert latency.count == 3
    assert latency.median_s == pytest.approx(1.0)
    assert (latency.max_s, latency.max_at_s) == (pytest.approx(3.0), 30.0)


def test_mono_calls_use_diarized_turns_and_carry_the_confidence() -> None:
    t = make_transcript(
        [seg("agent", 0.0, 6.0, "hello how can I help you today"), seg("customer", 6.5, 12.0, "I lost my job")],
        channel_mode="mono",
        confidence=0.8,
    )
    rng = np.random.default_rng(3)
    time_s = np.arange(12 * 16_000) / 16_000
    mono = (0.3 * np.sin(2 * np.pi * np.where(time_s < 6.2, 220.0, 110.0) * time_s)).astype(np.float32)
    mono += (0.001 * rng.standard_normal(mono.size)).astype(np.float32)
    m = compute_metrics(transcript=t, signals=SpeakerSignals(sample_rate_hz=16_000, agent=mono, customer=mono))
    d = m.to_dict()
    assert d["diarization_confidence"] == 0.8 and d["channel_mode"] == "mono"
    assert d["talk_ratio_agent"] == pytest.approx(6.0 / 11.5, abs=1e-3)
    assert d["speakers"]["agent"]["delivery"]["pitch_median_hz"] == pytest.approx(220.0, rel=0.02)
    assert d["speakers"]["customer"]["delivery"]["pitch_median_hz"] == pytest.approx(110.0, rel=0.02)


def test_to_dict_is_json_ready_and_matches_the_schema() -> None:
    t = make_transcript(
        [seg("agent", 0.0, 6.0, "Hello, how can I help you today?"), seg("customer", 6.5, 12.0, "I lost my job.")]
    )
    y = np.zeros(16_000 * 13, np.float32)
    d = compute_metrics(transcript=t, signals=SpeakerSignals(sample_rate_hz=16_000, agent=y, customer=y)).to_dict()
    jsonschema.validate(d, metrics_json_schema())
    json.dumps(d, allow_nan=False)  # raises on NaN or numpy types
    assert set(d["speakers"]) == {"agent", "customer"}
    for key in ("talk_time_s", "words_per_minute", "syllables_per_second"):
        assert key in d["speakers"]["agent"]
    assert d["diarization_confidence"] is None
    assert d["speakers"]["agent"]["delivery"]["pitch_median_hz"] is None  # silent audio: no pitch, not NaN


def test_schema_rejects_a_broken_dict() -> None:
    d = compute_metrics(transcript=make_transcript([seg("agent", 0.0, 2.0, "hi")])).to_dict()
    d["norms"]["talk_ratio_agent"]["status"] = "good"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, metrics_json_schema())


def test_empty_transcript_gives_unknowns_not_errors() -> None:
    d = compute_metrics(transcript=make_transcript([], language="sv")).to_dict()
    jsonschema.validate(d, metrics_json_schema())
    assert d["talk_ratio_agent"] is None and d["silences"] == [] and d["longest_agent_monologue"] is None
    assert d["norms"]["talk_ratio_agent"]["status"] == "unknown"


def test_unsupported_language_is_refused_by_name() -> None:
    with pytest.raises(LanguageDataError, match="'de'"):
        compute_metrics(transcript=make_transcript([seg("agent", 0.0, 1.0, "hallo")], language="de"))


def test_text_without_speech_spans_gets_no_talk_time() -> None:
    # VAD found nothing on the customer channel; the customer "segment" is a hallucination on silence
    t = make_transcript(
        [seg("agent", 0.0, 5.0, "hello how are you"), seg("customer", 6.0, 8.0, "Thank you.")],
        spans=[("agent", 0.0, 5.0)],
    )
    m = compute_metrics(transcript=t)
    assert m.speakers.customer.talk_time_s == 0.0 and m.speakers.customer.words_per_minute is None
    assert m.talk_ratio_agent == pytest.approx(1.0)

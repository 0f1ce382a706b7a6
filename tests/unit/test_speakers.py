from coaching.asr.transcriber import AsrSegment
from coaching.models import Word
from coaching.speakers.assign import mono_transcript, stereo_transcript, swap_speakers
from coaching.speakers.diarization import Diarization, DiarizedTurn


def _segment(*words: tuple[str, float, float]) -> AsrSegment:
    ws = tuple(Word(f" {w}", s, e, 0.9) for w, s, e in words)
    return AsrSegment(ws[0].start_s, ws[-1].end_s, "".join(w.word for w in ws).strip(), ws)


def test_stereo_keeps_overlapping_speech_of_both_channels() -> None:
    agent = [_segment(("hello", 0.0, 0.4), ("there", 0.5, 0.9)), _segment(("so", 2.0, 2.2), ("we", 2.3, 2.5))]
    customer = [_segment(("but", 2.1, 2.3), ("wait", 2.35, 2.7))]
    t = stereo_transcript(
        language="en",
        agent_segments=agent,
        customer_segments=customer,
        agent_spans_s=[(0.0, 1.0), (1.9, 2.6)],
        customer_spans_s=[(2.05, 2.8)],
        channel_mode="left",
    )
    assert [s.speaker for s in t.segments] == ["agent", "agent", "customer"]
    assert t.segments[1].end_s > t.segments[2].start_s  # overlap is kept, not merged away
    assert [(s.speaker, s.start_s) for s in t.speech_spans] == [("agent", 0.0), ("agent", 1.9), ("customer", 2.05)]
    assert t.diarization_confidence is None


def test_stereo_drops_words_the_vad_found_no_speech_for() -> None:
    agent = [_segment(("hello", 0.0, 0.4)), _segment(("thanks", 30.0, 30.5))]  # second is a hallucination in silence
    t = stereo_transcript(
        language="en",
        agent_segments=agent,
        customer_segments=[],
        agent_spans_s=[(0.0, 0.5)],
        customer_spans_s=[],
        channel_mode="right",
    )
    assert [s.text for s in t.segments] == ["hello"]
    assert t.channel_mode == "right"


def test_mono_splits_segments_at_speaker_changes_and_first_speaker_is_agent() -> None:
    diarization = Diarization(
        turns=(DiarizedTurn(0.0, 1.0, 0), DiarizedTurn(1.2, 2.5, 1), DiarizedTurn(2.7, 3.5, 0)),
        confidence=0.8,
        n_speakers=2,
    )
    seg = _segment(("hi", 0.1, 0.4), ("there", 0.5, 0.9), ("i", 1.3, 1.4), ("cannot", 1.5, 2.0), ("ok", 2.8, 3.0))
    t = mono_transcript(language="en", segments=[seg], diarization=diarization)
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("agent", "hi there"),
        ("customer", "i cannot"),
        ("agent", "ok"),
    ]
    assert t.diarization_confidence == 0.8 and t.channel_mode == "mono"
    swapped = mono_transcript(language="en", segments=[seg], diarization=diarization, swap=True)
    assert [s.speaker for s in swapped.segments] == ["customer", "agent", "customer"]
    assert swap_speakers(t) == swapped


def test_stereo_segment_running_across_the_other_speakers_turn_is_cut_into_turns() -> None:
    # Whisper joined the agent's two turns into one segment; the customer spoke in between.
    agent = [_segment(("hello", 0.0, 0.4), ("there", 0.5, 0.9), ("so", 3.0, 3.2), ("we", 3.3, 3.5))]
    customer = [_segment(("i", 1.2, 1.4), ("cannot", 1.5, 2.6))]
    t = stereo_transcript(
        language="en",
        agent_segments=agent,
        customer_segments=customer,
        agent_spans_s=[(0.0, 1.0), (2.9, 3.6)],
        customer_spans_s=[(1.1, 2.7)],
        channel_mode="left",
    )
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("agent", "hello there"),
        ("customer", "i cannot"),
        ("agent", "so we"),
    ]


def test_a_long_pause_without_the_other_speaker_also_starts_a_new_segment() -> None:
    agent = [_segment(("wait", 0.0, 0.4), ("thanks", 12.0, 12.5))]
    t = stereo_transcript(
        language="en",
        agent_segments=agent,
        customer_segments=[],
        agent_spans_s=[(0.0, 0.5), (11.9, 12.6)],
        customer_spans_s=[],
        channel_mode="left",
    )
    assert [s.text for s in t.segments] == ["wait", "thanks"]


def test_swapping_a_stereo_transcript_flips_the_agent_channel() -> None:
    t = stereo_transcript(
        language="en",
        agent_segments=[_segment(("hello", 0.0, 0.4))],
        customer_segments=[_segment(("hi", 1.0, 1.3))],
        agent_spans_s=[(0.0, 0.5)],
        customer_spans_s=[(0.9, 1.4)],
        channel_mode="left",
    )
    swapped = swap_speakers(t)
    assert swapped.channel_mode == "right"
    assert [(s.speaker, s.text) for s in swapped.segments] == [("customer", "hello"), ("agent", "hi")]
    assert swap_speakers(swapped) == t

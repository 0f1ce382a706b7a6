"""Turn recognised segments into a transcript with speakers.

Stereo: each channel was recognised on its own; the agent channel comes from the setting,
and overlaps between channels are kept. Mono: words are given to the diarized speaker at
their midpoint; the speaker of the opening turn is the agent unless swapped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from coaching.asr.transcriber import AsrSegment
from coaching.models import ChannelMode, Segment, Speaker, SpeechSpan, Transcript, Word
from coaching.speakers.diarization import Diarization

SPAN_TOLERANCE_S = 0.25
TURN_GAP_S = 2.0
_Timed = TypeVar("_Timed", Segment, SpeechSpan)


def _by_time(items: Iterable[_Timed]) -> tuple[_Timed, ...]:
    """``items`` by start, then end: the order a :class:`Transcript` keeps its segments and speech spans in."""
    return tuple(sorted(items, key=lambda item: (item.start_s, item.end_s)))


def stereo_transcript(
    *,
    language: str,
    agent_segments: Sequence[AsrSegment],
    customer_segments: Sequence[AsrSegment],
    agent_spans_s: Sequence[tuple[float, float]],
    customer_spans_s: Sequence[tuple[float, float]],
    channel_mode: ChannelMode,
    language_probability: float | None = None,
) -> Transcript:
    """Merge the two channels' segments and speech spans into one time-ordered transcript.

    Words that fall outside every speech span of their channel (recogniser hallucinations in
    silence or cross-talk bleed) are dropped.
    """
    segments = [
        *_channel_segments("agent", agent_segments, agent_spans_s, other_spans_s=customer_spans_s),
        *_channel_segments("customer", customer_segments, customer_spans_s, other_spans_s=agent_spans_s),
    ]
    spans = [SpeechSpan("agent", s, e) for s, e in agent_spans_s] + [
        SpeechSpan("customer", s, e) for s, e in customer_spans_s
    ]
    return Transcript(
        language=language,
        segments=_by_time(segments),
        speech_spans=_by_time(spans),
        channel_mode=channel_mode,
        language_probability=language_probability,
    )


def mono_transcript(
    *,
    language: str,
    segments: Sequence[AsrSegment],
    diarization: Diarization,
    swap: bool = False,
    language_probability: float | None = None,
) -> Transcript:
    """Split recognised segments at diarized speaker changes; speaker 0 (first turn) is the agent."""
    roles: tuple[Speaker, Speaker] = ("customer", "agent") if swap else ("agent", "customer")
    spans_s = [(t.start_s, t.end_s) for t in diarization.turns]
    out: list[Segment] = []
    for asr_segment in segments:
        words = [w for w in asr_segment.words if _inside_any(w, spans_s)]
        run: list[Word] = []
        run_speaker: Speaker | None = None
        for word in words:
            index = diarization.speaker_at((word.start_s + word.end_s) / 2)
            speaker = roles[index or 0]
            if run and speaker != run_speaker:
                out.append(_segment_from_words(run_speaker or speaker, run))
                run = []
            run.append(word)
            run_speaker = speaker
        if run and run_speaker is not None:
            out.append(_segment_from_words(run_speaker, run))
    spans = [SpeechSpan(roles[t.speaker_index], t.start_s, t.end_s) for t in diarization.turns]
    return Transcript(
        language=language,
        segments=_by_time(out),
        speech_spans=_by_time(spans),
        channel_mode="mono",
        diarization_confidence=diarization.confidence,
        language_probability=language_probability,
    )


def swap_speakers(transcript: Transcript) -> Transcript:
    """The same transcript with agent and customer exchanged (a user's correction); on a stereo call the
    agent's channel flips too."""
    other: dict[Speaker, Speaker] = {"agent": "customer", "customer": "agent"}
    flipped: dict[ChannelMode, ChannelMode] = {"left": "right", "right": "left", "mono": "mono"}
    return replace(
        transcript,
        segments=tuple(replace(seg, speaker=other[seg.speaker]) for seg in transcript.segments),
        speech_spans=tuple(replace(span, speaker=other[span.speaker]) for span in transcript.speech_spans),
        channel_mode=flipped[transcript.channel_mode],
    )


def _channel_segments(
    speaker: Speaker,
    segments: Sequence[AsrSegment],
    spans_s: Sequence[tuple[float, float]],
    *,
    other_spans_s: Sequence[tuple[float, float]],
) -> list[Segment]:
    """Segments of one channel, split into turns: Whisper's segments may run across the other
    speaker's turns (the VAD filter joins this channel's speech), so a segment is cut where the
    other speaker starts speaking between two words, or at a pause of :data:`TURN_GAP_S`."""
    out = []
    for asr_segment in segments:
        run: list[Word] = []
        for word in (w for w in asr_segment.words if _inside_any(w, spans_s)):
            if run and _turn_boundary(run[-1], word, other_spans_s):
                out.append(_segment_from_words(speaker, run))
                run = []
            run.append(word)
        if run:
            out.append(_segment_from_words(speaker, run))
    return out


def _turn_boundary(previous: Word, word: Word, other_spans_s: Sequence[tuple[float, float]]) -> bool:
    if word.start_s - previous.end_s >= TURN_GAP_S:
        return True
    return any(previous.end_s <= start < word.start_s for start, _ in other_spans_s)


def _inside_any(word: Word, spans_s: Sequence[tuple[float, float]]) -> bool:
    return any(word.end_s > s - SPAN_TOLERANCE_S and word.start_s < e + SPAN_TOLERANCE_S for s, e in spans_s)


def _segment_from_words(speaker: Speaker, words: Sequence[Word]) -> Segment:
    text = "".join(w.word for w in words).strip()
    return Segment(speaker=speaker, start_s=words[0].start_s, end_s=words[-1].end_s, text=text, words=tuple(words))

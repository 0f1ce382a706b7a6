"""Conversation metrics of one call: pure functions over the transcript, speech spans and audio.

Definitions and norms: ``shared/docs/coaching-model.md``, "Conversation metrics".
Talk time comes from speech spans (VAD per channel for stereo, diarized turns for mono),
never from text length. ``compute_metrics(...).to_dict()`` is the ``metrics`` part of the
analysis JSON; :func:`metrics_json_schema` describes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coaching.errors import AudioError
from coaching.jsonable import JsonObject, schema_for
from coaching.language import load_lexicon
from coaching.metrics.delivery import Delivery, describe_delivery, frame_features, speech_and_voiced
from coaching.metrics.norms import Norms
from coaching.metrics.spans import Interval, build_turns, merge_intervals, speaker_spans, speaker_words, total_s
from coaching.metrics.tempo import Tempo, rate_matching, speaker_tempo, tempo_series
from coaching.metrics.timing import (
    interruptions,
    longest_turn,
    overtalk,
    response_latency,
    silences,
    substantive,
)
from coaching.metrics.trajectory import VoiceFrames, customer_trajectory
from coaching.metrics.types import CallMetrics, Fillers, NormCheck, SpeakerMetrics, Speakers
from coaching.metrics.words import agent_questions, fillers, state_hits
from coaching.models import SPEAKERS, Speaker, Transcript

__all__ = ["CallMetrics", "Norms", "SpeakerSignals", "compute_metrics", "metrics_json_schema"]


@dataclass(frozen=True)
class SpeakerSignals:
    """Audio per speaker; a speaker's voice is read inside that speaker's speech spans.

    ``agent`` and ``customer`` have shape (n_samples,), float32; for mono calls both are
    the same array (features are then computed once).
    """

    sample_rate_hz: int
    agent: np.ndarray
    customer: np.ndarray

    @property
    def duration_s(self) -> float:
        return max(self.agent.shape[0], self.customer.shape[0]) / float(self.sample_rate_hz)


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """The same samples in memory (mono calls pass one array, or two views of it)."""
    return a is b or (
        a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def _voices(signals: SpeakerSignals, spans: dict[Speaker, list[Interval]]) -> dict[Speaker, VoiceFrames]:
    for name, array in zip(SPEAKERS, (signals.agent, signals.customer), strict=True):
        if not isinstance(array, np.ndarray) or array.ndim != 1:
            raise AudioError(
                f"SpeakerSignals.{name} must be a 1-D array (n_samples,), got {getattr(array, 'shape', array)}"
            )
    if signals.sample_rate_hz <= 0:
        raise AudioError(f"SpeakerSignals.sample_rate_hz must be positive, got {signals.sample_rate_hz}")
    rate = signals.sample_rate_hz
    if _same_array(signals.agent, signals.customer):  # mono: one array, pitch wherever anyone speaks
        both = merge_intervals([*spans["agent"], *spans["customer"]])
        agent_features = customer_features = frame_features(samples=signals.agent, sample_rate_hz=rate, spans=both)
    else:
        agent_features = frame_features(samples=signals.agent, sample_rate_hz=rate, spans=spans["agent"])
        customer_features = frame_features(samples=signals.customer, sample_rate_hz=rate, spans=spans["customer"])
    voices: dict[Speaker, VoiceFrames] = {}
    for speaker, features in zip(SPEAKERS, (agent_features, customer_features), strict=True):
        speech, voiced = speech_and_voiced(features=features, spans=spans[speaker])
        voices[speaker] = VoiceFrames(features=features, speech=speech, voiced=voiced)
    return voices


def _checks(norms: Norms, values: dict[str, float | None]) -> dict[str, NormCheck]:
    return {metric: norms.check(metric, value) for metric, value in values.items() if metric in norms.bands}


def compute_metrics(
    *, transcript: Transcript, signals: SpeakerSignals | None = None, norms: Norms | None = None
) -> CallMetrics:
    """All conversation metrics of one call; voice figures only when ``signals`` are given."""
    norms = norms or Norms.load(transcript.language)
    params = norms.params
    lexicon = load_lexicon(transcript.language)
    spans = {s: speaker_spans(transcript=transcript, speaker=s) for s in SPEAKERS}
    words = {s: speaker_words(transcript=transcript, speaker=s) for s in SPEAKERS}
    turns = build_turns(
        spans=spans, words=words, max_pause_s=params.turn_max_pause_s, backchannel_max_s=params.backchannel_max_s
    )
    talk = {s: total_s(spans[s]) for s in SPEAKERS}
    both_s = talk["agent"] + talk["customer"]

    voices = _voices(signals, spans) if signals is not None else None
    delivery: dict[Speaker, Delivery | None] = dict.fromkeys(SPEAKERS)
    if voices is not None:
        delivery = {s: describe_delivery(features=voices[s].features, spans=spans[s]) for s in SPEAKERS}

    tempo: dict[Speaker, Tempo] = {}
    filler: dict[Speaker, Fillers] = {}
    speakers: dict[Speaker, SpeakerMetrics] = {}
    for s in SPEAKERS:
        own_turns = [t for t in turns if t.speaker == s]
        tempo[s] = speaker_tempo(
            turns=own_turns, words=words[s], talk_time_s=talk[s], language=transcript.language, params=params
        )
        filler[s] = fillers(words=words[s], lexicon=lexicon, talk_time_s=talk[s])
        speakers[s] = SpeakerMetrics(
            talk_time_s=talk[s],
            turns=len(own_turns),
            words=tempo[s].words,
            syllables=tempo[s].syllables,
            words_per_minute=tempo[s].words_per_minute,
            syllables_per_second=tempo[s].syllables_per_second,
            articulation_rate_sps=tempo[s].articulation_rate_sps,
            articulation_turns=tempo[s].articulation_turns,
            phonation_s=tempo[s].phonation_s,
            fillers=filler[s],
            delivery=delivery[s],
        )

    agent_rate, customer_rate = tempo["agent"].articulation_rate_sps, tempo["customer"].articulation_rate_sps
    if agent_rate is None or customer_rate is None:  # fall back to rates over talk time, for both
        agent_rate, customer_rate = tempo["agent"].syllables_per_second, tempo["customer"].syllables_per_second
    matching = rate_matching(agent_rate=agent_rate, customer_rate=customer_rate)

    talk_turns = substantive(turns, lexicon=lexicon, params=params)
    over = overtalk(agent=spans["agent"], customer=spans["customer"], params=params)
    cut_ins = interruptions(
        agent=spans["agent"],
        customer=spans["customer"],
        agent_words=words["agent"],
        customer_words=words["customer"],
        lexicon=lexicon,
        params=params,
    )
    latency = response_latency(turns=talk_turns)
    questions = agent_questions(segments=transcript.segments_of("agent"), lexicon=lexicon)
    monologue, story = longest_turn(turns=turns, speaker="agent"), longest_turn(turns=turns, speaker="customer")

    everyone = merge_intervals([*spans["agent"], *spans["customer"]])
    call_end_s = max(signals.duration_s if signals is not None else 0.0, everyone[-1][1] if everyone else 0.0)
    gaps, silence_summary = silences(
        agent=spans["agent"], customer=spans["customer"], call_end_s=call_end_s, params=params
    )
    trajectory = customer_trajectory(
        hits=state_hits(words=words["customer"], lexicon=lexicon),
        spans=spans["customer"],
        call_start_s=0.0,
        call_end_s=call_end_s,
        voice=voices["customer"] if voices is not None else None,
        params=params,
    )
    checks = _checks(
        norms,
        {
            "talk_ratio_agent": talk["agent"] / both_s if both_s > 0 else None,
            "agent_words_per_minute": tempo["agent"].words_per_minute,
            "agent_articulation_rate_sps": tempo["agent"].articulation_rate_sps,
            "rate_matching": matching,
            "longest_agent_monologue_s": monologue.duration_s if monologue else None,
            "longest_customer_story_s": story.duration_s if story else None,
            "longest_silence_s": silence_summary.longest_gap_s if everyone else None,
            "response_latency_median_s": latency.median_s,
            "agent_interruptions": float(cut_ins.count),
            "overtalk_share": over.share_of_talk,
            "agent_fillers_per_minute": filler["agent"].per_minute,
            "open_questions": float(questions.open_count),
            "agent_pitch_range_st": delivery["agent"].pitch_range_st if delivery["agent"] else None,
            "customer_balance_change": (
                None if trajectory.direction == "no_evidence" else float(trajectory.balance_change)
            ),
        },
    )
    return CallMetrics(
        language=transcript.language,
        channel_mode=transcript.channel_mode,
        diarization_confidence=transcript.diarization_confidence,
        duration_s=call_end_s,
        talk_ratio_agent=talk["agent"] / both_s if both_s > 0 else None,
        speakers=Speakers(agent=speakers["agent"], customer=speakers["customer"]),
        rate_matching=matching,
        longest_agent_monologue=monologue,
        longest_customer_story=story,
        questions=questions,
        tempo_series=tempo_series(turns=turns, language=transcript.language, params=params),
        overtalk=over,
        interruptions=cut_ins,
        silences=gaps,
        silence_summary=silence_summary,
        response_latency=latency,
        customer_trajectory=trajectory,
        norms=checks,
        parameters=params,
    )


def metrics_json_schema() -> JsonObject:
    """JSON Schema (draft 2020-12) of ``CallMetrics.to_dict()``."""
    return schema_for(CallMetrics)

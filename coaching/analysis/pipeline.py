"""analyse_call: the one place that wires the stages together.

audio file → decoded channels → speech spans → language → words per channel (or diarized
mono) → transcript with speakers → redaction (:mod:`coaching.redaction`, before anything else sees the words) →
metrics → checklist → :class:`Analysis`. Nothing here touches the database or writes a file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from coaching.analysis.languages import (
    ChannelSignal,
    LanguageChoice,
    language_choice,
    pick_language,
    with_source,
)
from coaching.analysis.scoring import score_call
from coaching.asr.guard import guard_segments
from coaching.asr.transcriber import AsrSegment, Transcriber
from coaching.audio.channels import ChannelCheck, check_channels
from coaching.audio.decode import check_not_silent, decode_audio
from coaching.checklist import Checklist, load_checklist
from coaching.errors import SettingsError, SilentAudioError
from coaching.metrics.compute import SpeakerSignals
from coaching.models import Analysis, CallInfo, ChannelMode, DecodedAudio, LanguageCheck, LanguageSource, Transcript
from coaching.redaction import RedactedSpan, redact_filename, redact_transcript, redaction_policy, tone_over
from coaching.settings import CHANNEL_MODES, Settings
from coaching.speakers.assign import mono_transcript, stereo_transcript
from coaching.speakers.diarization import diarize
from coaching.speakers.vad import speech_spans_from_vad

logger = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class AnalysisRequest:
    """What to analyse. ``language`` None or "auto" detects among the configured languages;
    ``channel_mode`` None takes the setting. ``language_source`` says where a given ``language`` came from
    (None: forced; :func:`coaching.services.config.with_language_default` fills in the defaults)."""

    path: Path
    agent_id: str
    language: str | None = None
    channel_mode: ChannelMode | None = None
    contact_id: str | None = None
    swap_speakers: bool = False
    source_filename: str | None = None
    language_source: LanguageSource | None = None


@dataclass(frozen=True)
class AnalysisOutput:
    """The analysis (redacted), the decoded original audio and the redacted stretches of the call."""

    analysis: Analysis
    audio: DecodedAudio
    redactions: tuple[RedactedSpan, ...] = ()

    def redacted_audio(self) -> DecodedAudio:
        """The audio to store: a tone over the redacted stretches (padded), both channels."""
        return tone_over(self.audio, self.redactions)


def call_id_for(sha256: str) -> str:
    """Calls are keyed by their audio content, so re-analysing a file is idempotent."""
    return f"call-{sha256[:16]}"


def analyse_call(
    request: AnalysisRequest,
    *,
    settings: Settings,
    transcriber: Transcriber,
    checklist: Checklist | None = None,
    progress: Progress | None = None,
) -> AnalysisOutput:
    """Run every stage on one recorded call; raise a :class:`CoachingError` subclass on bad input.

    ``checklist`` None scores with the packaged default; the CLI, app and worker pass the organisation's active one.
    """
    report = progress or (lambda _stage, _fraction: None)
    filename = request.source_filename or request.path.name
    policy = redaction_policy(settings.redaction)  # a deny-list that cannot be read fails before any work
    report("decoding audio", 0.05)
    audio = decode_audio(request.path, max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s)
    check_not_silent(audio, filename=filename)
    channels = check_channels(audio.samples, audio.sample_rate_hz)  # dual mono → mono; crosstalk out; one-sided
    analysed = replace(audio, samples=channels.samples)  # what is listened to (the original is what is stored)
    mode = _channel_mode(request.channel_mode or settings.agent_channel, analysed)
    language_choice = _language_choice(request.language, settings=settings, transcriber=transcriber)
    report("finding speech", 0.15)
    signals = speaker_signals(analysed, mode)
    if mode == "mono":
        transcript = _mono(
            signals.agent, audio.sample_rate_hz, language_choice, transcriber, request.swap_speakers, report, filename
        )
    else:
        transcript = _stereo(signals, mode, language_choice, transcriber, report, filename)
    transcript = replace(transcript, language_check=with_source(transcript.language_check, request.language_source))
    report("redacting", 0.8)
    redaction = redact_transcript(transcript, policy)  # metrics, checklist and JSON see only the redacted words
    transcript = redaction.transcript
    report("measuring", 0.85)
    call = CallInfo(
        id=call_id_for(audio.sha256),
        agent_id=request.agent_id,
        duration_s=round(audio.duration_s, 3),
        language=transcript.language,
        audio_sha256=audio.sha256,
        channel_mode=transcript.channel_mode,
        model_name=transcriber.name,
        contact_id=request.contact_id,
        source_filename=redact_filename(filename, policy),
        warnings=(*audio.warnings, *channels.warnings, *_one_sided(transcript, channels)),
    )
    analysis = score_call(call, transcript, checklist=checklist or load_checklist(), signals=signals)
    report("done", 1.0)
    return AnalysisOutput(analysis, audio, redaction.spans)


def speaker_signals(audio: DecodedAudio, mode: ChannelMode) -> SpeakerSignals:
    """Each speaker's signal: the agent's and the customer's channel, or the one mono mix for both."""
    if mode == "mono" or audio.n_channels == 1:
        mono = _mono_signal(audio)
        return SpeakerSignals(audio.sample_rate_hz, mono, mono)
    agent_index = 0 if mode == "left" else 1
    return SpeakerSignals(audio.sample_rate_hz, audio.channel(agent_index), audio.channel(1 - agent_index))


def _channel_mode(value: str, audio: DecodedAudio) -> ChannelMode:
    if value not in CHANNEL_MODES:
        raise SettingsError(f"channel mode {value!r} must be one of left, right, mono")
    if audio.n_channels == 1:
        return "mono"
    return value  # type: ignore[return-value]


def _language_choice(language: str | None, *, settings: Settings, transcriber: Transcriber) -> LanguageChoice:
    """A fixed language, or the tuple of candidates to detect among (:func:`coaching.analysis.languages.
    language_choice`)."""
    return language_choice(language, settings=settings, transcriber=transcriber)


def _pick_language(choice: LanguageChoice, transcriber: Transcriber, *channels: ChannelSignal) -> LanguageCheck:
    """The language of the call from ``(speaker, samples, speech seconds)`` per channel (detected on each one with
    enough speech), with its probability and flags (:func:`coaching.analysis.languages.pick_language`)."""
    return pick_language(choice, transcriber, channels)


def _stereo(
    signals: SpeakerSignals,
    mode: ChannelMode,
    choice: str | tuple[str, ...],
    transcriber: Transcriber,
    report: Progress,
    filename: str,
) -> Transcript:
    rate, agent, customer = signals.sample_rate_hz, signals.agent, signals.customer
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="vad") as pool:  # Silero uses one core per channel
        agent_vad = pool.submit(speech_spans_from_vad, samples=agent, sample_rate_hz=rate)
        customer_spans = speech_spans_from_vad(samples=customer, sample_rate_hz=rate)
        agent_spans = agent_vad.result()
    if not agent_spans and not customer_spans:
        raise SilentAudioError(f"{filename}: no speech found in either channel")
    check = _pick_language(
        choice, transcriber, ("agent", agent, _speech_s(agent_spans)), ("customer", customer, _speech_s(customer_spans))
    )
    language, probability = check.language, check.probability
    report(f"transcribing both channels ({language})", 0.25)
    agent_segments, customer_segments = _transcribe_side_by_side(
        transcriber, language, agent if agent_spans else None, customer if customer_spans else None
    )
    agent_segments = guard_segments(agent_segments, agent_spans).segments  # invented words out or marked
    customer_segments = guard_segments(customer_segments, customer_spans).segments
    transcript = stereo_transcript(
        language=language,
        agent_segments=agent_segments,
        customer_segments=customer_segments,
        agent_spans_s=agent_spans,
        customer_spans_s=customer_spans,
        channel_mode=mode,
        language_probability=probability,
    )
    return replace(transcript, language_check=check)


def _transcribe_side_by_side(
    transcriber: Transcriber, language: str, *channels: np.ndarray | None
) -> tuple[tuple[AsrSegment, ...], ...]:
    """Each channel's segments (none for None), decoded at the same time in two threads: the model's two workers
    (:data:`coaching.asr.transcriber.DECODING_WORKERS`) decode them side by side."""
    with ThreadPoolExecutor(max_workers=len(channels), thread_name_prefix="transcribe") as pool:
        futures = [
            pool.submit(transcriber.transcribe, samples=samples, language=language) if samples is not None else None
            for samples in channels
        ]
        return tuple(future.result() if future is not None else () for future in futures)


def _mono(
    samples: np.ndarray,
    sample_rate_hz: int,
    choice: str | tuple[str, ...],
    transcriber: Transcriber,
    swap: bool,
    report: Progress,
    filename: str,
) -> Transcript:
    spans = speech_spans_from_vad(samples=samples, sample_rate_hz=sample_rate_hz)
    if not spans:
        raise SilentAudioError(f"{filename}: no speech found")
    report("telling speakers apart", 0.2)
    diarization = diarize(samples=samples, sample_rate_hz=sample_rate_hz, speech_spans_s=spans)
    check = _pick_language(choice, transcriber, ("agent", samples, _speech_s(spans)))
    language, probability = check.language, check.probability
    report(f"transcribing ({language})", 0.3)
    segments = transcriber.transcribe(samples=samples, language=language)
    segments = guard_segments(segments, spans).segments  # invented words out or marked
    transcript = mono_transcript(
        language=language,
        segments=segments,
        diarization=diarization,
        swap=swap,
        language_probability=probability,
    )
    return replace(transcript, language_check=check)


def _one_sided(transcript: Transcript, channels: ChannelCheck) -> tuple[str, ...]:
    """A warning for a stereo call where one speaker's channel has no speech (unless the level check said so)."""
    if transcript.channel_mode == "mono" or channels.silent_channels:
        return ()
    return tuple(
        f"one-sided call: no speech on the {speaker} channel; only the other speaker is analysed"
        for speaker in ("agent", "customer")
        if not transcript.spans_of(speaker)
    )


def _mono_signal(audio: DecodedAudio) -> np.ndarray:
    if audio.n_channels == 1:
        return audio.channel(0)
    return audio.samples.mean(axis=0).astype(np.float32)


def _speech_s(spans: list[tuple[float, float]]) -> float:
    return sum(end - start for start, end in spans)

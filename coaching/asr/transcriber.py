"""Speech recognition behind a small interface; faster-whisper is the real implementation.

The pipeline needs two things from a model: the language of a signal (among allowed
ones) and timed words for a 16 kHz mono signal. Tests use a fake with the same shape.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import numpy as np
import yaml

from coaching.asr.language_id import DECODE_CHECK_S, identify_language
from coaching.asr.models import ModelInfo, resolve_model
from coaching.asr.speech import SpeechOnly, restore_times, speech_only
from coaching.errors import ModelError
from coaching.models import Word
from coaching.settings import VOCABULARY_MODES, Settings

# Decoding defaults, chosen on REAL speech (never on synthetic speech alone) with bench/bench_real_speech.py: the
# 8 clips of ../shared/real-speech-dev (real Finnish, studio and 8 kHz mu-law; packaged base model, int8 CPU),
# product vs raw faster-whisper (beam 5, no VAD, no prompt, temperature 0; mean CER 0.031). Mean CER / clips
# with a CER above raw, each option changed alone from no vocabulary, beam 5, VAD 500/200 ms:
# - vocabulary: none 0.030 / 3 of 8, initial prompt 0.052 / 6 (it splits and shortens words: "huna ja", "kuka"
#   for "kukka"; issue 11 saw every "-kuu" of the month names become "-ku"), hotwords 0.036 / 5; both decode
#   about twice as slowly. (On the espeak sample calls the prompt had looked better, which is how it had been
#   chosen.) So "auto" gives the vocabulary to no language; COACHING_ASR_VOCABULARY=prompt|hotwords still can.
# - VAD (min silence / speech padding, ms): 500/200 3 of 8 worse (it cuts at the 0.3-0.6 s pauses between
#   words), 300/100 4 of 8, 2000/400 (faster-whisper's own) 0.030 / 0 of 8, no VAD 0.031 / 0 of 8. The VAD
#   stays on at 2000/400: it drops long silences such as the other side's turns on a stereo channel.
# - beam 1: 0.033 / 5 of 8 (about 20 % faster here): beam 5 stays.
# On the espeak channels (fi_good, fi_poor; sv_good) the defaults are no worse than raw either (mean CER 0.192 vs
# raw 0.402, which hallucinates in the other side's silences), but on synthetic Swedish speech 200 ms padding did
# better than 400 (sv_good agent 0.208 vs 0.382, a repetition loop) while on real Finnish it was worse on 3 of 8.
# With these defaults no real clip is worse than raw (tests/integration/test_real_speech.py checks two).
AUTO_VOCABULARY = {"fi": "none", "sv": "none", "en": "none"}
DEFAULT_BEAM_SIZE = 5
VAD_MIN_SILENCE_MS = 2000
VAD_SPEECH_PAD_MS = 400
DECODE_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # faster-whisper's fallback when a decoding fails its checks
# Model workers: two, so a stereo call's channels decode side by side, each with every core (threads per worker), so
# the longer channel keeps them all once the shorter one is done. Measured on 2 cores (whole analysis, medians of 3
# in turn): fi_poor 13.2 s with one worker, 13.5 s with two of one thread each, 11.3 s with two of two; en_good 7.7,
# 5.2 and 5.8 s.
DECODING_WORKERS = 2


@dataclass(frozen=True)
class AsrSegment:
    """A recognised stretch of one signal, with word timings."""

    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...]
    no_speech_probability: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0  # gzip ratio of the text (Whisper's repetition signal); 0 when unknown


class Transcriber(Protocol):
    """What the pipeline needs from a speech model."""

    name: str
    languages: tuple[str, ...]

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        """Most likely language among ``allowed`` and its probability. ``samples``: shape (n,), 16 kHz."""
        ...

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        """Timed words of ``samples`` (shape (n,), 16 kHz) in ``language``; silence gives no segments."""
        ...


@functools.cache
def domain_vocabulary(language: str) -> tuple[str, ...]:
    """Collection-domain words that help the recogniser, per language (data file)."""
    text = resources.files("coaching.asr").joinpath("data/vocabulary.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return tuple(data.get(language, ()))


@dataclass(frozen=True)
class DecodingOptions:
    """How Whisper decodes a channel; the defaults are the ones measured on real speech (see AUTO_VOCABULARY)."""

    vocabulary: str = "auto"  # auto|none|prompt|hotwords: how the domain vocabulary reaches the model
    beam_size: int = DEFAULT_BEAM_SIZE
    vad: bool = True  # skip non-speech with faster-whisper's Silero VAD before decoding
    vad_min_silence_ms: int = VAD_MIN_SILENCE_MS
    vad_speech_pad_ms: int = VAD_SPEECH_PAD_MS
    temperatures: tuple[float, ...] = DECODE_TEMPERATURES


def decoding_kwargs(decoding: DecodingOptions, *, language: str) -> dict[str, Any]:
    """faster-whisper ``transcribe`` keyword arguments for ``decoding`` in ``language`` (timed words, no history)."""
    mode = AUTO_VOCABULARY.get(language, "none") if decoding.vocabulary == "auto" else decoding.vocabulary
    kwargs: dict[str, Any] = {
        "language": language,
        "beam_size": decoding.beam_size,
        "temperature": list(decoding.temperatures),
        "word_timestamps": True,
        "condition_on_previous_text": False,
        "vad_filter": decoding.vad,
    }
    if decoding.vad:
        kwargs["vad_parameters"] = {
            "min_silence_duration_ms": decoding.vad_min_silence_ms,
            "speech_pad_ms": decoding.vad_speech_pad_ms,
        }
    vocabulary = " ".join(domain_vocabulary(language))
    if vocabulary and mode == "prompt":
        kwargs["initial_prompt"] = vocabulary
    elif vocabulary and mode == "hotwords":
        kwargs["hotwords"] = vocabulary
    return kwargs


def pick_device(setting: str) -> tuple[str, str]:
    """(device, compute_type) for ``setting`` auto|cpu|cuda: cuda+float16 when a GPU is there, else cpu+int8."""
    if setting == "cpu":
        return "cpu", "int8"
    import ctranslate2

    has_gpu = ctranslate2.get_cuda_device_count() > 0
    if setting == "cuda" and not has_gpu:
        raise ModelError("COACHING_DEVICE=cuda but no CUDA device is visible")
    return ("cuda", "float16") if has_gpu else ("cpu", "int8")


class WhisperTranscriber:
    """faster-whisper with word timestamps, the VAD filter and no conditioning on previous text."""

    def __init__(
        self,
        model: ModelInfo,
        *,
        device: str = "auto",
        vocabulary_mode: str = "auto",
        beam_size: int = DEFAULT_BEAM_SIZE,
    ) -> None:
        if vocabulary_mode not in VOCABULARY_MODES:
            raise ModelError(f"vocabulary mode {vocabulary_mode!r} must be one of {', '.join(VOCABULARY_MODES)}")
        self.name = model.name
        self.languages = model.languages
        self.vocabulary_mode = vocabulary_mode
        self.beam_size = beam_size
        self.device, self.compute_type = pick_device(device)
        self._info = model
        self._loaded: Any = None
        self._lock = threading.Lock()

    @property
    def _model(self) -> Any:
        """The faster-whisper model, loaded on first use (so bad input fails before a slow load)."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _load_whisper(self._info, device=self.device, compute_type=self.compute_type)
            return self._loaded

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        """Whisper's language identification among ``allowed``, on the speech of ``samples`` (the VAD pass is
        shared with :meth:`transcribe`), checked by decoding when unsure (:mod:`coaching.asr.language_id`)."""
        candidates = [lang for lang in allowed if lang in self.languages]
        if not candidates:
            raise ModelError(f"model {self.name!r} knows {', '.join(self.languages)}; none of {', '.join(allowed)}")
        if len(candidates) == 1:
            return candidates[0], 1.0
        speech = self.speech(samples, DecodingOptions())
        audio = speech.samples if speech.samples.size else samples.astype(np.float32)
        check = speech.head(DECODE_CHECK_S) if speech.samples.size else audio[: int(DECODE_CHECK_S * 16000)]
        return identify_language(self._model, speech=audio, check_speech=check, candidates=candidates)

    def speech(self, samples: np.ndarray, decoding: DecodingOptions) -> SpeechOnly:
        """The speech of ``samples`` as ``decoding``'s VAD keeps it (the Silero pass is shared per channel)."""
        return speech_only(
            samples=samples, min_silence_ms=decoding.vad_min_silence_ms, speech_pad_ms=decoding.vad_speech_pad_ms
        )

    def transcribe(
        self, *, samples: np.ndarray, language: str, decoding: DecodingOptions | None = None
    ) -> tuple[AsrSegment, ...]:
        """Timed words of ``samples``; ``decoding`` None uses the measured defaults (the bench passes others)."""
        if decoding is None:
            decoding = DecodingOptions(vocabulary=self.vocabulary_mode, beam_size=self.beam_size)
        kwargs = {**decoding_kwargs(decoding, language=language), "vad_filter": False}
        kwargs.pop("vad_parameters", None)
        if not decoding.vad:
            segments, _info = self._model.transcribe(samples.astype(np.float32), **kwargs)
            return tuple(_to_segment(segment) for segment in segments)
        speech = self.speech(samples, decoding)  # what vad_filter=True would decode, from the shared VAD pass
        if speech.samples.size == 0:
            return ()
        segments, _info = self._model.transcribe(speech.samples, **kwargs)
        return tuple(_to_segment(segment) for segment in restore_times(segments, speech))


def load_transcriber(settings: Settings, *, model: str | None = None) -> WhisperTranscriber:
    """The transcriber for ``model`` (or the configured one); the weights load on first use."""
    info = resolve_model(model or settings.whisper_model, models_dir=settings.models_dir)
    return WhisperTranscriber(info, device=settings.device, vocabulary_mode=settings.asr_vocabulary)


def _to_segment(segment: Any) -> AsrSegment:
    words = tuple(
        Word(
            word=w.word,
            start_s=round(float(w.start), 3),
            end_s=round(float(w.end), 3),
            probability=float(w.probability),
        )
        for w in (segment.words or ())
    )
    return AsrSegment(
        start_s=float(segment.start),
        end_s=float(segment.end),
        text=segment.text.strip(),
        words=words,
        no_speech_probability=float(segment.no_speech_prob),
        avg_logprob=float(segment.avg_logprob),
        compression_ratio=float(getattr(segment, "compression_ratio", 0.0) or 0.0),
    )


def _load_whisper(model: ModelInfo, *, device: str, compute_type: str) -> Any:
    from coaching.asr.shared_encoding import WindowCachingWhisper as WhisperModel

    workers, threads = DECODING_WORKERS, os.cpu_count() or 1
    target = str(model.path) if model.path else model.name
    try:
        return WhisperModel(
            target,
            device=device,
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=workers,
            local_files_only=True,
        )
    except Exception as local_error:
        if model.path is not None:
            raise ModelError(f"cannot load model from {model.path}: {str(local_error).splitlines()[0]}") from None
    try:
        return WhisperModel(target, device=device, compute_type=compute_type, cpu_threads=threads, num_workers=workers)
    except Exception:
        raise ModelError(
            f"model {model.name!r} is not on this machine and cannot be downloaded here; download a faster-whisper "
            "model once elsewhere and set COACHING_WHISPER_MODEL (or --model) to its directory"
        ) from None

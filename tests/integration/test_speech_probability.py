"""One Silero pass per channel: the chunks from shared probabilities are faster-whisper's own, for the metrics' VAD
setting and the recogniser's, and decoding the joined speech gives what ``vad_filter=True`` gives."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from audio_samples.truth import audio_path
from coaching.asr.speech import speech_only
from coaching.asr.transcriber import DecodingOptions, WhisperTranscriber, _to_segment, decoding_kwargs
from coaching.audio.speech_probability import speech_chunks, speech_probabilities

SETTINGS = (  # (threshold, min speech ms, min silence ms, pad ms): the recogniser's, the metrics', others
    (0.5, 0, 2000, 400),
    (0.5, 100, 300, 100),
    (0.6, 250, 500, 30),
    (0.3, 0, 100, 0),
)


def _signals() -> list[np.ndarray]:
    samples, rate = sf.read(audio_path("en_short"), dtype="float32")
    assert rate == 16_000
    rng = np.random.default_rng(7)
    bursts = np.zeros(16_000 * 12, dtype=np.float32)  # noise bursts and tones of varied length, odd total length
    for start_s, length_s in ((0.0, 0.4), (1.0, 2.5), (4.0, 0.05), (6.0, 3.0), (11.5, 0.49)):
        start, n = int(start_s * 16_000), int(length_s * 16_000)
        t = np.arange(n) / 16_000
        bursts[start : start + n] = 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + rng.standard_normal(n) * 0.3)
    return [samples[:, 0], samples[:, 1], bursts[:-123]]


@pytest.mark.parametrize(("threshold", "min_speech_ms", "min_silence_ms", "pad_ms"), SETTINGS)
def test_chunks_from_shared_probabilities_equal_faster_whispers(
    threshold: float, min_speech_ms: int, min_silence_ms: int, pad_ms: int
) -> None:
    for index, signal in enumerate(_signals()):
        options = VadOptions(
            threshold=threshold,
            min_speech_duration_ms=min_speech_ms,
            min_silence_duration_ms=min_silence_ms,
            speech_pad_ms=pad_ms,
        )
        expected = [(c["start"], c["end"]) for c in get_speech_timestamps(signal, options)]
        got = speech_chunks(
            speech_probabilities(samples=signal),
            n_samples=signal.size,
            threshold=threshold,
            min_speech_ms=min_speech_ms,
            min_silence_ms=min_silence_ms,
            speech_pad_ms=pad_ms,
        )
        assert got == expected
        assert expected or index == 2  # both speech channels have chunks (the tone bursts may have none)


def test_joined_speech_is_what_the_vad_filter_decodes() -> None:
    signal = _signals()[0]
    expected = np.concatenate(collect_chunks(signal, get_speech_timestamps(signal, VadOptions()))[0])
    got = speech_only(samples=signal, min_silence_ms=2000, speech_pad_ms=400)
    assert got.samples.size < signal.size
    np.testing.assert_array_equal(got.samples, expected)
    assert got.head(1000.0).size == got.samples.size
    assert 0 < got.head(5.0).size <= 5 * 16_000


def test_transcription_from_the_shared_vad_equals_faster_whispers_vad_filter(
    english_transcriber: WhisperTranscriber,
) -> None:
    samples, _ = sf.read(audio_path("en_short"), dtype="float32")
    decoding = DecodingOptions(temperatures=(0.0,))  # no sampling fallback: both paths are deterministic
    for channel in (samples[:, 0], samples[:, 1]):
        kwargs = decoding_kwargs(decoding, language="en")
        assert kwargs["vad_filter"] is True
        segments, _ = english_transcriber._model.transcribe(channel, **kwargs)
        expected = tuple(_to_segment(s) for s in segments)
        assert expected
        assert english_transcriber.transcribe(samples=channel, language="en", decoding=decoding) == expected

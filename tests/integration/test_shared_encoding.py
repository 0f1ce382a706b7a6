"""Whisper's encoder runs once per distinct window (:mod:`coaching.asr.shared_encoding`): transcription reuses the
window language identification encoded, threads asking for one window at once share one pass, and a reused
output gives the words a fresh encoding gives."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf

from audio_samples.truth import audio_path
from coaching.asr.language_id import transcription_features
from coaching.asr.transcriber import DecodingOptions, WhisperTranscriber


def _channel() -> np.ndarray:
    samples, rate = sf.read(audio_path("en_short"), dtype="float32")
    assert rate == 16_000
    return np.asarray(samples[:, 0])


def test_transcription_reuses_the_window_identification_encoded(sample_transcriber: WhisperTranscriber) -> None:
    if len(sample_transcriber.languages) < 2:
        pytest.skip("an English-only model identifies no language")
    model, channel = sample_transcriber._model, _channel()
    model.forget_windows()
    before = model.encoder_passes
    language, _ = sample_transcriber.detect_language(samples=channel, allowed=("fi", "sv", "en"))
    identified = model.encoder_passes
    reused = sample_transcriber.transcribe(samples=channel, language=language)
    assert identified > before
    assert model.encoder_passes == identified  # en_short's speech is one window: nothing encoded again
    model.forget_windows()
    fresh = sample_transcriber.transcribe(samples=channel, language=language)
    assert model.encoder_passes > identified
    assert [w.word for s in reused for w in s.words] == [w.word for s in fresh for w in s.words]
    assert any(s.words for s in fresh)


def test_threads_asking_for_one_window_share_one_pass(sample_transcriber: WhisperTranscriber) -> None:
    model = sample_transcriber._model
    model.forget_windows()
    window = transcription_features(model, sample_transcriber.speech(_channel(), DecodingOptions()).samples)[..., :3000]
    before = model.encoder_passes
    with ThreadPoolExecutor(max_workers=3) as pool:
        outputs = list(pool.map(lambda _: np.array(model.encode(window)), range(3)))
    assert model.encoder_passes == before + 1
    assert all(np.array_equal(outputs[0], other) for other in outputs[1:])
    assert float(np.abs(outputs[0]).max()) > 0

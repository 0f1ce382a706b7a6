"""The faster-whisper transcriber on real speech and on silence (short English clips; packaged tiny.en unless
COACHING_TEST_WHISPER_MODEL names another model)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_samples.truth import audio_path, load_truth
from coaching.analysis.evaluation import word_error_rate
from coaching.analysis.pipeline import AnalysisRequest, analyse_call
from coaching.asr.transcriber import WhisperTranscriber, domain_vocabulary
from coaching.settings import Settings


def test_silence_produces_no_words(english_transcriber: WhisperTranscriber) -> None:
    rng = np.random.default_rng(0)
    near_silence = (rng.standard_normal(16_000 * 5) * 1e-4).astype(np.float32)
    assert english_transcriber.transcribe(samples=near_silence, language="en") == ()


def test_words_have_ordered_times_inside_their_segment(english_transcriber: WhisperTranscriber) -> None:
    samples, rate = sf.read(audio_path("en_short"), dtype="float32")
    assert rate == 16_000
    segments = english_transcriber.transcribe(samples=samples[:, 0], language="en")
    words = [w for s in segments for w in s.words]
    assert words and all(w.word.startswith(" ") for w in words)
    assert all(0.0 <= w.probability <= 1.0 for w in words)
    assert all(a.start_s <= b.start_s for a, b in itertools.pairwise(words))
    for segment in segments:
        for word in segment.words:  # word times are rounded to the millisecond, the segment's are not
            assert segment.start_s - 0.01 <= word.start_s <= word.end_s <= segment.end_s + 0.01, (segment, word)
    agent_turns = [t for t in load_truth("en_short")["turns"] if t["speaker"] == "agent"]
    assert words[0].start_s == pytest.approx(agent_turns[0]["start_s"], abs=0.5)


def test_domain_vocabulary_exists_for_every_language() -> None:
    assert "maksusuunnitelma" in domain_vocabulary("fi")
    assert "betalningsplan" in domain_vocabulary("sv")
    assert "payment plan" in domain_vocabulary("en")


def test_telephony_mulaw_8khz_call_is_transcribed(tmp_path: Path, english_transcriber: WhisperTranscriber) -> None:
    phone = tmp_path / "phone.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-i",
            str(audio_path("en_short")),
            "-ar",
            "8000",
            "-c:a",
            "pcm_mulaw",
            str(phone),
        ],
        check=True,
    )
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    request = AnalysisRequest(path=phone, agent_id="emma", language="en")
    analysis = analyse_call(request, settings=settings, transcriber=english_transcriber).analysis
    truth = load_truth("en_short")
    reference = " ".join(t["text"] for t in truth["turns"] if t["speaker"] == "agent")
    hypothesis = " ".join(s.text for s in analysis.transcript.segments_of("agent"))
    assert word_error_rate(reference=reference, hypothesis=hypothesis, language="en") <= 0.25
    assert analysis.metrics.talk_ratio_agent == pytest.approx(truth["talk_ratio_agent"], abs=0.05)

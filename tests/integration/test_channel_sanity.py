"""Channel sanity end to end on the espeak sample call en_short (audio_samples/make_samples.py): the same call as
dual mono (equal and -3 dB), with echo of the other side at 30 ms / -20 dB, and one-sided, analysed with the quick
model. Assertions are properties against the clean call (not doubled, within margins), not one model's words."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import soundfile as sf

from coaching.analysis.pipeline import AnalysisRequest, analyse_call
from coaching.asr.transcriber import WhisperTranscriber
from coaching.models import Analysis
from coaching.settings import Settings
from tests.speech_helpers import SAMPLES

Analyse = Callable[[np.ndarray], Analysis]
TALK_RATIO_MARGIN = 0.06  # agent talk share, absolute
WORDS_MARGIN = 0.25  # word counts, relative to the clean call


def call_samples() -> tuple[np.ndarray, int]:
    """en_short as (2, n) float32: agent left, customer right."""
    samples, rate_hz = sf.read(SAMPLES / "en_short.flac", dtype="float32", always_2d=True)
    return np.ascontiguousarray(samples.T), int(rate_hz)


def delayed(signal: np.ndarray, delay_s: float, gain_db: float, rate_hz: int) -> np.ndarray:
    shift = round(delay_s * rate_hz)
    out = np.zeros_like(signal)
    out[shift:] = signal[: signal.size - shift] * 10 ** (gain_db / 20)
    return out


@pytest.fixture(scope="module")
def analyse(english_transcriber: WhisperTranscriber, tmp_path_factory: pytest.TempPathFactory) -> Analyse:
    workdir = tmp_path_factory.mktemp("channels")
    settings = Settings.from_env({"COACHING_DATA_DIR": str(workdir / "data")})
    _, rate_hz = call_samples()

    def run(samples: np.ndarray) -> Analysis:
        path = workdir / f"call-{abs(hash(samples.tobytes()))}.wav"
        sf.write(path, samples.T, rate_hz, subtype="PCM_16")
        request = AnalysisRequest(path=path, agent_id="emma", language="en", channel_mode="left")
        return analyse_call(request, settings=settings, transcriber=english_transcriber).analysis

    return run


@pytest.fixture(scope="module")
def clean(analyse: Analyse) -> Analysis:
    return analyse(call_samples()[0])


def n_words(analysis: Analysis, speaker: str | None = None) -> int:
    return sum(len(s.words) for s in analysis.transcript.segments if speaker in (None, s.speaker))


@pytest.mark.parametrize("gain_db", [0.0, -3.0])
def test_a_mono_recording_saved_as_stereo_is_analysed_once_as_mono(
    analyse: Analyse, clean: Analysis, gain_db: float
) -> None:
    stereo, _ = call_samples()
    mono = stereo.sum(axis=0)
    dual = np.stack([mono, mono * 10 ** (gain_db / 20)]).astype(np.float32)
    analysis = analyse(dual)
    assert analysis.call.channel_mode == "mono"
    assert any("same signal" in w for w in analysis.call.warnings)
    assert n_words(analysis) <= (1 + WORDS_MARGIN) * n_words(clean)  # not every word twice
    assert n_words(analysis) >= (1 - WORDS_MARGIN) * n_words(clean)
    assert analysis.metrics.overtalk.total_s <= 1.0  # doubled channels made 8 s of 11 "overtalk" on a real call


def test_an_echo_of_the_other_side_is_not_heard_twice(analyse: Analyse, clean: Analysis) -> None:
    stereo, rate_hz = call_samples()
    left = stereo[0] + delayed(stereo[1], 0.03, -20.0, rate_hz)
    right = stereo[1] + delayed(stereo[0], 0.03, -20.0, rate_hz)
    analysis = analyse(np.stack([left, right]).astype(np.float32))
    assert analysis.call.channel_mode == "left"
    assert any("crosstalk" in w for w in analysis.call.warnings)
    for speaker in ("agent", "customer"):
        assert n_words(analysis, speaker) <= (1 + WORDS_MARGIN) * n_words(clean, speaker)
    ratio, clean_ratio = analysis.metrics.talk_ratio_agent, clean.metrics.talk_ratio_agent
    assert ratio is not None and clean_ratio is not None
    assert abs(ratio - clean_ratio) <= TALK_RATIO_MARGIN


@pytest.mark.parametrize("echo", [False, True])
def test_a_one_sided_call_is_flagged(analyse: Analyse, echo: bool) -> None:
    stereo, rate_hz = call_samples()
    agent = stereo[0]
    customer = delayed(agent, 0.03, -20.0, rate_hz) if echo else np.zeros_like(agent)
    analysis = analyse(np.stack([agent, customer]).astype(np.float32))
    assert any("one-sided" in w for w in analysis.call.warnings)
    assert n_words(analysis, "customer") == 0
    assert n_words(analysis, "agent") > 0

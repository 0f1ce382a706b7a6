"""The hallucination guard end to end (espeak-ng speech, quick model): after the agent's last words come silence,
line noise or music on hold, or the last word is cut off; no trusted word may appear where nobody speaks.

Properties, not one model's words: every agent word that starts after the speech ended is dropped or marked, the
speech itself is still there, and every mark names a reason of :mod:`coaching.asr.guard`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_samples.make_samples import SAMPLE_RATE_HZ, synthesize
from audio_samples.scripts import Voice
from coaching.analysis.pipeline import AnalysisRequest, analyse_call
from coaching.asr.guard import REASONS
from coaching.asr.transcriber import WhisperTranscriber
from coaching.models import Analysis
from coaching.settings import Settings

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)

AGENT = Voice("en-us+f2", 60, 140)
CUSTOMER = Voice("en-us", 45, 115)
AGENT_LINE = "Thank you for calling. We will send the payment plan to you today."
CUSTOMER_LINE = "Okay, thank you."
TAIL_S = 8.0  # what follows the agent's last word
GAP_S = 0.7
TOLERANCE_S = 0.3  # how far past the last speech sample a word may start (word timings are approximate)


def music_on_hold(n: int, rng: np.random.Generator) -> np.ndarray:
    """Chords (C, F, G major triads with overtones), one per second, with a soft attack."""
    t = np.arange(SAMPLE_RATE_HZ) / SAMPLE_RATE_HZ
    chords = ((261.6, 329.6, 392.0), (349.2, 440.0, 523.3), (392.0, 493.9, 587.3))
    out = []
    for second in range(int(np.ceil(n / SAMPLE_RATE_HZ))):
        chord = chords[second % 3]
        tone = sum(np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) for f in chord)
        out.append(tone * np.minimum(1.0, t / 0.05) * np.exp(-t))
    music = np.concatenate(out)[:n]
    return (0.1 * music / np.max(np.abs(music)) + 1e-3 * rng.standard_normal(n)).astype(np.float32)


def tail(kind: str, n: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    if kind == "silence":
        return np.zeros(n, dtype=np.float32)
    if kind == "noise":
        return (10 ** (-40 / 20) * rng.standard_normal(n)).astype(np.float32)  # line hiss at -40 dBFS
    return music_on_hold(n, rng)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    workdir = tmp_path_factory.mktemp("guard-voices")
    return synthesize(text=AGENT_LINE, voice=AGENT, workdir=workdir), synthesize(
        text=CUSTOMER_LINE, voice=CUSTOMER, workdir=workdir
    )


Build = Callable[[str], tuple[Analysis, float]]


@pytest.fixture(scope="module")
def build(
    speech: tuple[np.ndarray, np.ndarray],
    english_transcriber: WhisperTranscriber,
    tmp_path_factory: pytest.TempPathFactory,
) -> Build:
    """kind → (analysis, end of the agent's speech in seconds): customer first, then the agent, then the tail."""
    workdir = tmp_path_factory.mktemp("guard-calls")
    settings = Settings.from_env({"COACHING_DATA_DIR": str(workdir / "data")})
    agent, customer = speech
    gap = int(GAP_S * SAMPLE_RATE_HZ)

    def run(kind: str) -> tuple[Analysis, float]:
        said = agent[: int(agent.size * 0.93)] if kind == "clipped" else agent  # cut inside the last word
        after = tail("silence" if kind == "clipped" else kind, int(TAIL_S * SAMPLE_RATE_HZ))
        n = gap + customer.size + gap + said.size + after.size
        stereo = np.zeros((2, n), dtype=np.float32)
        stereo[1, gap : gap + customer.size] = customer
        start = 2 * gap + customer.size
        stereo[0, start : start + said.size] = said
        stereo[0, start + said.size :] = after
        path = Path(workdir) / f"{kind}.wav"
        sf.write(path, stereo.T, SAMPLE_RATE_HZ, subtype="PCM_16")
        request = AnalysisRequest(path=path, agent_id="emma", language="en", channel_mode="left")
        analysis = analyse_call(request, settings=settings, transcriber=english_transcriber).analysis
        return analysis, (start + said.size) / SAMPLE_RATE_HZ

    return run


@pytest.mark.parametrize("kind", ["silence", "noise", "music", "clipped"])
def test_no_trusted_word_where_nobody_speaks(build: Build, kind: str) -> None:
    analysis, speech_end_s = build(kind)
    agent_words = [w for s in analysis.transcript.segments if s.speaker == "agent" for w in s.words]
    late = [w for w in agent_words if w.start_s > speech_end_s + TOLERANCE_S and not w.suspect]
    assert not late, f"{kind}: words after the speech ended: {[w.word for w in late]}"
    assert len([w for w in agent_words if not w.suspect]) >= 0.6 * len(AGENT_LINE.split())  # the speech stays
    assert all(w.suspect in REASONS for w in agent_words if w.suspect)

"""coaching.speakers.diarization on espeak-ng speech: two voices, one after the other, in Finnish and English."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from coaching.speakers.diarization import diarize
from tests.unit.test_diarization import RATE_HZ, accuracy, alternating_mix, assert_covers_spans, spans_like_vad


def espeak(*, text: str, voice: list[str], path: Path) -> np.ndarray:
    """espeak-ng speech at RATE_HZ (n,), silence trimmed."""
    subprocess.run(["espeak-ng", *voice, "-s", "165", "-w", str(path), text], check=True, capture_output=True)
    audio, rate_hz = sf.read(path, dtype="float64")
    audio = resample_poly(audio, RATE_HZ, rate_hz)
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0] : loud[-1] + 1]


ESPEAK_CALLS = {
    "fi": (
        (["-v", "fi+m3", "-p", "40"], ["-v", "fi+f2", "-p", "75"]),
        [
            "Hyvää päivää, nimeni on Anna, miten voin auttaa?",
            "Sain kirjeen laskusta, jota en ymmärrä.",
            "Ymmärrän. Katsotaan yhdessä, mistä laskusta on kyse.",
            "Minulta loppui työ, ja rahat ovat tiukalla.",
            "Voimme tehdä maksusuunnitelman, mikä summa sopisi teille?",
            "Ehkä viisikymmentä euroa kuussa.",
            "Eli sovitaan viisikymmentä euroa kuun viidentenä päivänä.",
            "Kyllä, se sopii, kiitos.",
        ],
    ),
    "en": (
        (["-v", "en+m3", "-p", "40"], ["-v", "en+f2", "-p", "75"]),
        [
            "Good morning, my name is Anna, how can I help?",
            "I got a letter about an invoice I do not understand.",
            "I understand. Let us look together at which invoice it is.",
            "I lost my job and money is tight.",
            "We can set up a payment plan, what amount would work for you?",
            "Maybe fifty euros a month.",
            "So we agree on fifty euros on the fifth day of each month.",
            "Yes, that works, thank you.",
        ],
    ),
}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
@pytest.mark.parametrize("language", sorted(ESPEAK_CALLS))
def test_espeak_two_voices(language: str, tmp_path: Path) -> None:
    voices, lines = ESPEAK_CALLS[language]
    clips = [espeak(text=line, voice=voices[i % 2], path=tmp_path / "turn.wav") for i, line in enumerate(lines)]
    mix, truth = alternating_mix(clips=clips, rng=np.random.default_rng(3), pause_s=(0.4, 0.8))
    spans = spans_like_vad(truth, min_silence_s=0.3)
    result = diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans)
    assert result.n_speakers == 2
    assert accuracy(result, truth, best_mapping=True) >= 0.85
    assert_covers_spans(result, spans)
    # the first turn is speaker 0, so the truth mapping is the identity: check each turn's middle
    middles = [result.speaker_at((s + e) / 2) for s, e, _ in truth]
    assert sum(m == speaker for m, (_, _, speaker) in zip(middles, truth, strict=True)) >= len(truth) - 1
    assert result.speaker_at(0.0) == 0  # before the first turn: the nearest (first) turn

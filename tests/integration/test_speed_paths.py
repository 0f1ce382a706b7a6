"""The fast paths give the same results: a one-voice mono call is one speaker without clustering, and the SQLite
lemma cache gives simplemma's own lemmas."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import simplemma
import soundfile as sf

from coaching.analysis.pipeline import AnalysisRequest, analyse_call
from coaching.asr.transcriber import AsrSegment
from coaching.checklist import lemmas
from coaching.models import Word
from coaching.settings import Settings
from coaching.speakers import diarization
from tests.integration.test_diarization_speech import ESPEAK_CALLS, espeak
from tests.unit.test_diarization import RATE_HZ


class OneSegmentTranscriber:
    """A fake model: one segment of evenly spaced words over the whole signal."""

    name: str = "fake"
    languages: tuple[str, ...] = ("en",)

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        return "en", 1.0

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        end_s = samples.size / RATE_HZ
        texts = ["Good", "morning,", "how", "can", "I", "help?", "Thank", "you."]
        step_s = end_s / (len(texts) + 1)
        words = tuple(
            Word(word=f" {t}", start_s=round(i * step_s, 3), end_s=round((i + 0.8) * step_s, 3), probability=0.9)
            for i, t in enumerate(texts)
        )
        return (AsrSegment(0.0, end_s, " ".join(texts), words),)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_one_voice_mono_call_is_one_speaker_without_clustering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clustering(**_kwargs: object) -> None:
        raise AssertionError("k-means ran on a one-voice call")

    monkeypatch.setattr(diarization, "_cluster", no_clustering)
    monkeypatch.setattr("coaching.checklist.scoring.default_semantic_matcher", lambda: None)
    voices, lines = ESPEAK_CALLS["en"]
    clips = [espeak(text=line, voice=voices[0], path=tmp_path / "turn.wav") for line in lines]
    pause = np.zeros(int(0.6 * RATE_HZ))
    signal = np.concatenate([part for clip in clips for part in (clip, pause)])
    path = tmp_path / "one_voice.wav"
    sf.write(path, (0.5 * signal / np.abs(signal).max()).astype(np.float32), RATE_HZ, subtype="PCM_16")
    settings = Settings.from_env({"COACHING_DATA_DIR": str(tmp_path / "data")})
    request = AnalysisRequest(path=path, agent_id="a1", language="en", channel_mode="mono")
    analysis = analyse_call(request, settings=settings, transcriber=OneSegmentTranscriber()).analysis
    assert analysis.call.channel_mode == "mono"
    assert {segment.speaker for segment in analysis.transcript.segments} == {"agent"}


def test_sqlite_lemmas_are_simplemmas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lemmas.lemmatizer.cache_clear()
    try:
        words = ["payments", "understood", "went", "Hello", "children's", "xyzzy", "well-known"]
        assert [lemmas.lemmatizer().lemmatize(w, "en") for w in words] == [
            simplemma.lemmatize(w, lang="en") for w in words
        ]
        assert list((tmp_path / "coaching").glob("simplemma-*-en.sqlite"))
        with pytest.raises(ValueError):
            lemmas.lemmatizer().lemmatize("word", "xx")  # as simplemma: an unknown language is an error
    finally:
        lemmas.lemmatizer.cache_clear()

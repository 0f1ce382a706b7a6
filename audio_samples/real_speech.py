"""Real Finnish speech for measuring decoding choices: the local dev set beside the repository, never copied into it.

``../shared/real-speech-dev`` (its README defines the clips and their scoring) holds studio recordings of one
speaker with verified transcripts. It is for local evaluation only: the bench and one integration test read it
from there and skip with a reason when it is absent (CI). Also here: the raw faster-whisper reference the product
is compared with (same model, its defaults, temperature 0), so the bench and the test run the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REAL_SPEECH_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "real-speech-dev"
RAW_BEAM_SIZE = 5  # faster-whisper's default


@dataclass(frozen=True)
class RealClip:
    """One real-speech clip: its audio file, language and verified reference text."""

    name: str
    path: Path
    language: str
    reference: str


def real_speech_available(directory: Path = REAL_SPEECH_DIR) -> bool:
    """Whether the dev set (its ``refs.json``) is on this machine."""
    return (directory / "refs.json").is_file()


def load_real_clips(directory: Path = REAL_SPEECH_DIR) -> tuple[RealClip, ...]:
    """Every clip listed in ``refs.json``, in file order (empty when the dev set is absent)."""
    if not real_speech_available(directory):
        return ()
    refs: dict[str, dict[str, Any]] = json.loads((directory / "refs.json").read_text(encoding="utf-8"))
    return tuple(
        RealClip(
            name=name, path=directory / str(entry["file"]), language=str(entry["language"]), reference=entry["text"]
        )
        for name, entry in refs.items()
    )


def raw_engine_text(model: Any, audio: str | Any, *, language: str) -> str:
    """What plain faster-whisper says: ``model.transcribe`` with its defaults (beam 5, no VAD, no prompt,
    conditioning on previous text) at temperature 0. ``audio``: a file path or a 16 kHz float32 array."""
    segments, _info = model.transcribe(audio, language=language, beam_size=RAW_BEAM_SIZE, temperature=0.0)
    return " ".join(s.text.strip() for s in segments)

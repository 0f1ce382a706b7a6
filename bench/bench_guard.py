"""What the hallucination guard (coaching.asr.guard) drops and marks, per clip, and whether any real word is lost.

Usage: .venv/bin/python bench/bench_guard.py [--clips dev_fi_01 ...] [--samples fi_good ...] [--no-real] [--words]

Clips: every clip of ../shared/real-speech-dev (real Finnish speech, local only; skipped when absent) and each
channel of the espeak sample calls in audio_samples/. Each is transcribed by the product's transcriber with the
configured model, then guarded with its VAD speech spans as the pipeline does. "lost" counts dropped words that
the reference holds more times than the guarded text (a real word lost to the guard); CER before → after the guard.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audio_samples.truth import SAMPLE_NAMES, audio_path, load_truth  # noqa: E402
from coaching.analysis.evaluation import character_error_rate, normalise  # noqa: E402
from coaching.asr.guard import guard_segments  # noqa: E402
from coaching.asr.transcriber import AsrSegment, load_transcriber  # noqa: E402
from coaching.audio.decode import decode_audio  # noqa: E402
from coaching.settings import Settings  # noqa: E402
from coaching.speakers.vad import speech_spans_from_vad  # noqa: E402

REAL_DIR = REPO.parent / "shared" / "real-speech-dev"


def clips(real: list[str] | None, samples: list[str]) -> list[tuple[str, Path, int, str, str]]:
    """(label, path, channel, language, reference) of every clip to measure."""
    out: list[tuple[str, Path, int, str, str]] = []
    refs_path = REAL_DIR / "refs.json"
    if real != [] and refs_path.is_file():
        refs = json.loads(refs_path.read_text(encoding="utf-8"))
        for name in sorted(refs):
            if real is None or name in real:
                out.append((name, REAL_DIR / refs[name]["file"], 0, refs[name]["language"], refs[name]["text"]))
    for name in samples:
        truth = load_truth(name)
        for channel, speaker in enumerate(("agent", "customer")):
            text = " ".join(t["text"] for t in truth["turns"] if t["speaker"] == speaker)
            out.append((f"{name}:{speaker}", audio_path(name), channel, truth["language"], text))
    return out


def text_of(segments: tuple[AsrSegment, ...]) -> str:
    return " ".join(s.text for s in segments)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="*", default=None, help="real clips (default: all)")
    parser.add_argument("--samples", nargs="*", default=list(SAMPLE_NAMES), choices=SAMPLE_NAMES)
    parser.add_argument("--no-real", action="store_true", help="skip ../shared/real-speech-dev")
    parser.add_argument("--words", action="store_true", help="print every dropped and marked word")
    args = parser.parse_args()
    settings = Settings.from_env()
    transcriber = load_transcriber(settings)
    print(f"{'clip':24} {'words':>5} {'drop':>4} {'mark':>4} {'lost':>4}  CER before→after")
    total_lost = 0
    for label, path, channel, language, reference in clips([] if args.no_real else args.clips, args.samples):
        audio = decode_audio(path, max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s)
        samples = np.asarray(audio.channel(channel))
        segments = transcriber.transcribe(samples=samples, language=language)
        spans = speech_spans_from_vad(samples=samples, sample_rate_hz=audio.sample_rate_hz)
        result = guard_segments(segments, spans)
        kept = Counter(normalise(text_of(result.segments), language=language))
        wanted = Counter(normalise(reference, language=language))
        dropped_tokens = Counter(t for d in result.dropped for t in normalise(d.word.word, language=language))
        lost = sum(min(n, max(wanted[t] - kept[t], 0)) for t, n in dropped_tokens.items())
        total_lost += lost
        n_words = sum(len(s.words) for s in segments)
        before = character_error_rate(reference=reference, hypothesis=text_of(segments), language=language)
        after = character_error_rate(reference=reference, hypothesis=text_of(result.segments), language=language)
        print(
            f"{label:24} {n_words:5d} {len(result.dropped):4d} {len(result.marked):4d} {lost:4d}  "
            f"{before:.3f}→{after:.3f}"
        )
        if args.words:
            for d in result.dropped:
                print(f"    dropped {d.word.word.strip()!r} at {d.word.start_s:.2f} s ({d.reason})")
            for w in result.marked:
                print(f"    marked  {w.word.strip()!r} at {w.start_s:.2f} s p={w.probability:.2f} ({w.suspect})")
    print(f"real words lost to the guard: {total_lost}")
    return 1 if total_lost else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Decoding options measured on real speech: the product's transcriber vs the raw faster-whisper engine, per clip.

Usage: .venv/bin/python bench/bench_real_speech.py [--options raw none prompt ...] [--clips dev_fi_01 ...]
       [--samples fi_good fi_poor] [--no-real] [--text] [--json out.json]
       .venv/bin/python bench/bench_real_speech.py --options raw chosen   # "product (chosen defaults) vs raw"

Clips: every clip of ../shared/real-speech-dev (real Finnish speech, local only; skipped when absent) and each
channel of the espeak sample calls in audio_samples/ (synthetic; references from their ground-truth turns).
"raw" is plain faster-whisper on the same packaged model (int8 CPU, temperature 0, beam 5, no VAD, no prompt)
given the file as a new user would (a sample call's channel as an array). Every other option is the product's
WhisperTranscriber.transcribe on the product's decoded 16 kHz signal, as the pipeline calls it: "chosen" with the
defaults (coaching.asr.transcriber.DecodingOptions), the others with one setting changed from BASE. CER and WER come
from coaching.analysis.evaluation (one normalisation for the whole project). Decode times are wall seconds on
this machine and noisy when it is shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from audio_samples.real_speech import REAL_SPEECH_DIR, load_real_clips, raw_engine_text  # noqa: E402
from audio_samples.truth import audio_path, load_truth  # noqa: E402
from coaching.analysis.evaluation import character_error_rate, word_error_rate  # noqa: E402
from coaching.asr.models import resolve_model  # noqa: E402
from coaching.asr.transcriber import DecodingOptions, WhisperTranscriber  # noqa: E402
from coaching.audio.decode import decode_audio  # noqa: E402
from coaching.settings import Settings  # noqa: E402

CHOSEN = DecodingOptions()
BASE = DecodingOptions(vocabulary="none", beam_size=5, vad=True, vad_min_silence_ms=500, vad_speech_pad_ms=200)
# option name -> the product's decoding options: "chosen" is the defaults, every other one changes one thing from
# BASE (no vocabulary, beam 5, the VAD at 500 ms silence / 200 ms padding, faster-whisper's temperature fallback)
OPTIONS: dict[str, DecodingOptions] = {
    "chosen": CHOSEN,
    "none": BASE,
    "prompt": dataclasses.replace(BASE, vocabulary="prompt"),
    "hotwords": dataclasses.replace(BASE, vocabulary="hotwords"),
    "beam1": dataclasses.replace(BASE, beam_size=1),
    "no-vad": dataclasses.replace(BASE, vad=False),
    "vad-2000/400": dataclasses.replace(BASE, vad_min_silence_ms=2000, vad_speech_pad_ms=400),
    "vad-300/100": dataclasses.replace(BASE, vad_min_silence_ms=300, vad_speech_pad_ms=100),
    "vad-2000/200": dataclasses.replace(BASE, vad_min_silence_ms=2000, vad_speech_pad_ms=200),
    "temp0": dataclasses.replace(BASE, temperatures=(0.0,)),
    # from the chosen defaults, a narrower beam (issue 12: speed while the accuracy holds)
    "chosen-beam2": dataclasses.replace(CHOSEN, beam_size=2),
    "chosen-beam3": dataclasses.replace(CHOSEN, beam_size=3),
}
DEFAULT_OPTIONS = ("raw", *OPTIONS)
WORSE_MARGIN = 0.0005  # a CER this much above raw counts as worse (rounding)


@dataclass(frozen=True)
class Clip:
    """Audio to transcribe: the product's 16 kHz signal, what the raw engine is given, and the reference."""

    name: str
    kind: str  # real | espeak
    language: str
    reference: str
    samples: np.ndarray
    raw_input: str | np.ndarray


@dataclass(frozen=True)
class Result:
    clip: str
    option: str
    cer: float
    wer: float
    time_s: float
    text: str


def real_clips(names: list[str] | None, settings: Settings) -> list[Clip]:
    clips = []
    for clip in load_real_clips():
        if names and clip.name not in names:
            continue
        audio = decode_audio(clip.path, max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s)
        clips.append(Clip(clip.name, "real", clip.language, clip.reference, audio.channel(0), str(clip.path)))
    return clips


def espeak_clips(samples: list[str], settings: Settings) -> list[Clip]:
    clips = []
    for name in samples:
        truth = load_truth(name)
        audio = decode_audio(
            audio_path(name), max_file_bytes=settings.max_file_bytes, max_duration_s=settings.max_duration_s
        )
        for index, speaker in enumerate(("agent", "customer")):  # the samples have the agent on the left
            reference = " ".join(t["text"] for t in truth["turns"] if t["speaker"] == speaker)
            channel = audio.channel(index)
            clips.append(Clip(f"{name}:{speaker}", "espeak", truth["language"], reference, channel, channel))
    return clips


def measure(clip: Clip, option: str, run: Callable[[], str]) -> Result:
    started = time.perf_counter()
    text = run()
    elapsed_s = time.perf_counter() - started
    return Result(
        clip=clip.name,
        option=option,
        cer=character_error_rate(reference=clip.reference, hypothesis=text, language=clip.language),
        wer=word_error_rate(reference=clip.reference, hypothesis=text, language=clip.language),
        time_s=elapsed_s,
        text=text,
    )


def run_bench(clips: list[Clip], options: list[str], model: str, settings: Settings) -> list[Result]:
    info = resolve_model(model, models_dir=settings.models_dir)
    transcriber = WhisperTranscriber(info, device="cpu")
    raw_model = None
    if "raw" in options:
        from faster_whisper import WhisperModel

        raw_model = WhisperModel(str(info.path or info.name), device="cpu", compute_type="int8")
    results = []
    for clip in clips:
        for option in options:
            if option == "raw":
                run = functools.partial(raw_engine_text, raw_model, clip.raw_input, language=clip.language)
            else:
                run = functools.partial(product_text, transcriber, clip, OPTIONS[option])
            result = measure(clip, option, run)
            print(
                f"  {clip.name} {option}: CER {result.cer:.3f} WER {result.wer:.3f} {result.time_s:.1f} s", flush=True
            )
            results.append(result)
    return results


def product_text(transcriber: WhisperTranscriber, clip: Clip, decoding: DecodingOptions) -> str:
    segments = transcriber.transcribe(samples=clip.samples, language=clip.language, decoding=decoding)
    return " ".join(s.text for s in segments)


def print_tables(clips: list[Clip], options: list[str], results: list[Result], *, show_text: bool) -> None:
    by = {(r.clip, r.option): r for r in results}
    width = max(12, *(len(o) + 2 for o in options))
    print(f"\nCER / WER per clip (cores: {os.cpu_count()}; '*' = CER worse than raw)")
    print("clip".ljust(22) + "".join(o.rjust(width) for o in options))
    for clip in clips:
        raw = by.get((clip.name, "raw"))
        cells = []
        for option in options:
            r = by[(clip.name, option)]
            worse = "*" if raw and _worse(r, raw) else " "
            cells.append(f"{r.cer:.3f}/{r.wer:.2f}{worse}".rjust(width))
        print(clip.name.ljust(22) + "".join(cells))
    for kind in ("real", "espeak"):
        names = [c.name for c in clips if c.kind == kind]
        if not names:
            continue
        print(f"\n{kind}: mean CER, clips worse than raw, mean decode wall s")
        for option in options:
            rows = [by[(n, option)] for n in names]
            n_worse = sum(1 for n in names if "raw" in options and _worse(by[(n, option)], by[(n, "raw")]))
            mean_cer = statistics.fmean(r.cer for r in rows)
            mean_s = statistics.fmean(r.time_s for r in rows)
            print(f"  {option:14} CER {mean_cer:.3f}  worse {n_worse}/{len(names)}  {mean_s:.1f} s")
    if show_text:
        for clip in clips:
            print(f"\n{clip.name} reference: {clip.reference}")
            for option in options:
                print(f"  {option:14} {by[(clip.name, option)].text}")


def _worse(result: Result, raw: Result) -> bool:
    return result.cer > raw.cer + WORSE_MARGIN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", nargs="+", default=list(DEFAULT_OPTIONS), choices=DEFAULT_OPTIONS)
    parser.add_argument("--clips", nargs="+", help="real clips by name (default: all in refs.json)")
    parser.add_argument("--samples", nargs="*", default=["fi_good", "fi_poor"], help="espeak sample calls")
    parser.add_argument("--no-real", action="store_true", help="leave out the real-speech clips")
    parser.add_argument("--model", default="base")
    parser.add_argument("--text", action="store_true", help="print each option's text")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    args = parser.parse_args()
    settings = Settings.from_env({"COACHING_DATA_DIR": str(REPO / "data")})
    clips = [] if args.no_real else real_clips(args.clips, settings)
    if not args.no_real and not clips:
        print(f"no real-speech clips at {REAL_SPEECH_DIR} (local evaluation only); espeak samples only")
    clips += espeak_clips(args.samples, settings)
    print(f"chosen defaults: {CHOSEN}")
    results = run_bench(clips, args.options, args.model, settings)
    print_tables(clips, args.options, results, show_text=args.text)
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(r) for r in results], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

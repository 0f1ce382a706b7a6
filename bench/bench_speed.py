"""Speed of one call: the whole CLI analysis against raw faster-whisper on the same file and model.

Run from the repository root: .venv/bin/python -m bench.bench_speed [--runs 3] [--samples fi_poor en_good]

Prints, in one run:

1. per sample and model, the wall time of ``python -m coaching analyze FILE`` (a fresh process: start, imports,
   model load, both channels, metrics, checklist, storage in a scratch database) and of raw faster-whisper in a fresh
   process (``WhisperModel`` defaults, int8 on the CPU, both channels transcribed, its model load included), the
   median of ``--runs`` runs taken in turn (raw, product, raw, product, …), their ratio, and the real-time factor
   (wall time / audio duration) of each;
2. per sample, the seconds of every stage of one analysis in a fresh process and the non-ASR share: everything that
   is not speech recognition (decoding, VAD, diarization, redaction, metrics, checklist, storage) as seconds and as a
   percentage of the audio duration.

Both sides get the same model directory and language detection (raw: Whisper's own; product: among the configured
languages). Timings on a shared machine are noisy: compare ratios taken in turn, not seconds across runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLES = ("fi_poor", "en_good")
DEFAULT_MODELS = ("base", "tiny.en")

RAW_SCRIPT = """
import sys
from faster_whisper import WhisperModel, decode_audio
model = WhisperModel(sys.argv[2], device="cpu", compute_type="int8")
language = sys.argv[3] if len(sys.argv) > 3 else None
for channel in decode_audio(sys.argv[1], split_stereo=True):
    segments, _ = model.transcribe(channel, language=language)
    text = " ".join(s.text for s in segments)
"""


def model_dir(name: str) -> Path:
    """The directory of a packaged model (the base model is joined into the configured data dir once)."""
    from coaching.asr.models import resolve_model
    from coaching.settings import Settings

    info = resolve_model(name, models_dir=Settings.from_env().models_dir)
    if info.path is None:
        raise SystemExit(f"model {name!r} is not installed here")
    return info.path


def timed(command: list[str], *, env: dict[str, str]) -> float:
    """Wall seconds of ``command`` run to completion (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} … failed:\n{done.stderr[-2000:]}")
    return elapsed


def compare(sample: str, model: str, *, runs: int, env: dict[str, str], language: str | None) -> dict[str, float]:
    """Median wall seconds of raw faster-whisper and of the CLI analysis, run in turn."""
    from audio_samples.truth import audio_path

    path, directory = str(audio_path(sample)), str(model_dir(model))
    raw_cmd = [sys.executable, "-c", RAW_SCRIPT, path, directory]
    product_cmd = [sys.executable, "-m", "coaching", "analyze", path, "--agent", "bench", "--model", directory]
    if language:  # both sides skip detection
        raw_cmd.append(language)
        product_cmd += ["--language", language]
    raw: list[float] = []
    product: list[float] = []
    for _ in range(runs):
        raw.append(timed(raw_cmd, env=env))
        product.append(timed(product_cmd, env=env))
    return {"raw_s": statistics.median(raw), "product_s": statistics.median(product)}


def attribute(calls: list[tuple[float, float, int, int, str]]) -> dict[str, float]:
    """Wall seconds per stage from timed calls ``(start, end, thread, depth, stage)`` that may overlap across
    threads: each instant goes to the innermost call of each thread, shared equally when threads are in different
    stages, so two channels transcribed side by side count their wall time once."""
    edges = sorted({t for c in calls for t in c[:2]})
    seconds: dict[str, float] = {}
    for left, right in itertools.pairwise(edges):
        innermost: dict[int, tuple[int, str]] = {}
        for start, end, thread, depth, stage in calls:
            if start <= left and right <= end and depth >= innermost.get(thread, (-1, ""))[0]:
                innermost[thread] = (depth, stage)
        stages = {stage for _depth, stage in innermost.values()}
        for stage in stages:
            seconds[stage] = seconds.get(stage, 0.0) + (right - left) / len(stages)
    return seconds


def stage_times(sample: str, model: str, language: str = "auto") -> dict[str, Any]:
    """Seconds per stage of one stored analysis in this (fresh) process; ASR = model load + language + decoding."""
    imports_start = time.perf_counter()
    import threading

    from audio_samples.truth import audio_path
    from coaching.access import SYSTEM_USER
    from coaching.analysis import languages, pipeline, scoring
    from coaching.analysis.pipeline import AnalysisRequest
    from coaching.asr import transcriber as asr
    from coaching.audio import speech_probability
    from coaching.checklist import semantic
    from coaching.services import calls
    from coaching.services.config import analysis_config
    from coaching.settings import Settings
    from coaching.store.db import Database

    imports_s = time.perf_counter() - imports_start
    timed_calls: list[tuple[float, float, int, int, str]] = []
    depth = threading.local()
    cpu_seconds: dict[str, float] = {}  # CPU seconds of the calling thread (the model's own threads are not in it)

    def wrap(owner: Any, name: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "level", 0)
            depth.level = level + 1
            start, start_cpu = time.perf_counter(), time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                depth.level = level
                timed_calls.append((start, time.perf_counter(), threading.get_ident(), level, stage))
                cpu_seconds[stage] = cpu_seconds.get(stage, 0.0) + time.thread_time() - start_cpu

        setattr(owner, name, timed_call)

    for owner, name, stage in (
        (pipeline, "decode_audio", "decode"),
        (pipeline, "check_not_silent", "decode"),
        (pipeline, "speech_spans_from_vad", "vad"),
        (pipeline, "diarize", "diarization"),
        (pipeline, "redact_transcript", "redaction"),
        (scoring, "compute_metrics", "metrics"),
        (scoring, "score_checklist", "checklist"),
        (calls, "stored_call_of", "storage"),
        (calls, "store_audio", "storage"),
        (calls, "save_analysis", "storage"),
        (asr, "_load_whisper", "asr: model load"),
    ):
        wrap(owner, name, stage)
    start = time.perf_counter()
    settings = Settings.from_env()
    db = Database.open(settings.db_url)
    config = analysis_config(settings, db).with_model(str(model_dir(model)))
    transcriber = asr.load_transcriber(config.settings)
    wrap(transcriber, "transcribe", "asr: transcribe")
    wrap(transcriber, "detect_language", "asr: language")
    setup_s = time.perf_counter() - start
    assert languages is not None  # detection runs in threads of coaching.analysis.languages (timed above)
    request = AnalysisRequest(path=audio_path(sample), agent_id="bench", language=language)

    def run(store: bool) -> tuple[float, dict[str, float], dict[str, float]]:
        timed_calls.clear()
        cpu_seconds.clear()
        speech_probability.clear_cache()  # a worker's next call is another recording: no VAD result to reuse
        getattr(transcriber._loaded, "forget_windows", lambda: None)()  # nor an encoded window
        if (matcher := semantic.default_semantic_matcher()) is not None:
            matcher.forget_sentences()  # nor its sentences' vectors
        begin = time.perf_counter()
        if store:
            calls.analyze_and_store(
                SYSTEM_USER,
                request,
                settings=config.settings,
                transcriber=transcriber,
                db=db,
                checklist=config.checklist,
            )
        else:
            pipeline.analyse_call(
                request, settings=config.settings, transcriber=transcriber, checklist=config.checklist
            )
        total_s = time.perf_counter() - begin
        stages = attribute(timed_calls)
        stages["other"] = max(0.0, total_s - sum(stages.values()))
        return total_s, stages, dict(cpu_seconds)

    total_s, stages, cpu = run(store=True)
    asr_s = sum(v for k, v in stages.items() if k.startswith("asr"))
    # the same call again in this process, as a worker's next call runs: model, imports and caches warm
    # (the pipeline only: the call is stored already; storage took its share above)
    warm_total_s, warm_stages, warm_cpu = run(store=False)
    return {
        "duration_s": round(float(sf_duration(audio_path(sample))), 3),
        "total_s": total_s,
        "asr_s": asr_s,
        "stages": {"imports": imports_s, "setup": setup_s, **stages},
        "cpu_stages": cpu,
        "warm_total_s": warm_total_s,
        "warm_stages": warm_stages,
        "warm_cpu_stages": warm_cpu,
    }


def sf_duration(path: Path) -> float:
    """Seconds of audio in ``path``."""
    import soundfile as sf

    return float(sf.info(str(path)).duration)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per side, taken in turn (median reported)")
    parser.add_argument("--samples", nargs="+", default=list(DEFAULT_SAMPLES), help="stereo sample calls")
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), help="models (.en models: English)")
    parser.add_argument("--stages-only", action="store_true", help="only the per-stage breakdown")
    parser.add_argument("--language", default=None, help="give both sides this language (default: both detect)")
    parser.add_argument("--stage-json", nargs="+", metavar="SAMPLE MODEL [LANGUAGE]", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_json:  # the child process of the per-stage breakdown
        print(json.dumps(stage_times(*args.stage_json)))
        return
    from audio_samples.truth import load_truth

    scratch = tempfile.mkdtemp(prefix="bench-speed-")
    env = {**os.environ, "COACHING_DB_URL": f"sqlite:///{scratch}/coaching.db", "PYTHONPATH": str(REPO)}
    env["COACHING_DATA_DIR"] = os.environ.get("COACHING_DATA_DIR", str(REPO / "data"))
    for name in args.models:
        model_dir(name)  # join the packaged model once, before timing
    subprocess.run(
        [sys.executable, "-m", "coaching", "checklist", "list"], cwd=REPO, env=env, check=True, capture_output=True
    )  # create the scratch database (a deployment has one)
    print(f"cpu cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (a shared machine: figures are noisy)")
    if not args.stages_only:
        print(f"\nwhole analysis vs raw faster-whisper, median of {args.runs} in turn")
        print(
            f"{'sample':10} {'model':8} {'audio s':>8} {'raw s':>8} {'ours s':>8} {'ours/raw':>9} {'RTF raw':>8} "
            f"{'RTF ours':>9}"
        )
        for sample in args.samples:
            duration_s = float(load_truth(sample)["duration_s"])
            for model in args.models:
                if model.endswith(".en") and not sample.startswith("en"):
                    continue
                got = compare(sample, model, runs=args.runs, env=env, language=args.language)
                raw_s, ours_s = got["raw_s"], got["product_s"]
                print(
                    f"{sample:10} {model:8} {duration_s:8.1f} {raw_s:8.1f} {ours_s:8.1f} {ours_s / raw_s:9.2f} "
                    f"{raw_s / duration_s:8.3f} {ours_s / duration_s:9.3f}"
                )
    print("\nstages of one analysis in a fresh process (seconds; non-ASR as % of the audio duration)")
    for sample in args.samples:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_speed",
                "--stage-json",
                sample,
                args.models[0],
                args.language or "auto",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(out.stdout.strip().splitlines()[-1])
        duration_s, stages = got["duration_s"], got["stages"]
        non_asr = {k: v for k, v in stages.items() if not k.startswith("asr") and k not in ("setup", "imports")}
        parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1]))
        share = sum(non_asr.values())
        print(
            f"{sample} ({duration_s:.1f} s audio, {args.models[0]}): analysis {got['total_s']:.1f} s, "
            f"ASR {got['asr_s']:.1f} s, non-ASR {share:.2f} s = {100 * share / duration_s:.1f} % of the audio"
        )
        print(f"  wall s: {parts} (imports and setup: once per process, not per call)")
        cpu = got["cpu_stages"]
        cpu_non_asr = sum(v for k, v in cpu.items() if not k.startswith("asr"))
        cpu_parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if "asr" not in k)
        print(
            f"  CPU s of the calling threads: {cpu_parts}; non-ASR {cpu_non_asr:.2f} s = "
            f"{100 * cpu_non_asr / duration_s:.1f} % of the audio"
        )
        warm, warm_cpu = got["warm_stages"], got["warm_cpu_stages"]
        warm_non_asr = sum(v for k, v in warm.items() if not k.startswith("asr"))
        warm_cpu_non_asr = sum(v for k, v in warm_cpu.items() if not k.startswith("asr"))
        warm_parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(warm.items(), key=lambda kv: -kv[1]))
        print(
            f"  the same call again in that process (a worker's next call): analysis {got['warm_total_s']:.1f} s, "
            f"non-ASR {warm_non_asr:.2f} s wall = {100 * warm_non_asr / duration_s:.1f} %, "
            f"{warm_cpu_non_asr:.2f} CPU s = {100 * warm_cpu_non_asr / duration_s:.1f} % of the audio"
        )
        print(f"  wall s: {warm_parts}")


if __name__ == "__main__":
    main()

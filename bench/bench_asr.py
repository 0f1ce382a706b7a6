"""Real-time factor, peak memory and accuracy of the whole analysis per model and language.

Usage: python bench/bench_asr.py [--models base tiny.en] [--samples fi_good ...] [--vocabulary]
Each model runs in its own process so the peak memory figure is that model's alone.
RTF = processing time / audio duration (lower is faster). --vocabulary compares the
domain-vocabulary modes (none / initial prompt / hotwords) on the Finnish and Swedish samples;
the default "auto" uses what measured best per language (coaching.asr.transcriber.AUTO_VOCABULARY).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audio_samples.truth import SAMPLE_NAMES, audio_path, load_truth  # noqa: E402
from coaching.analysis.evaluation import speaker_error_rates  # noqa: E402
from coaching.analysis.pipeline import AnalysisRequest, analyse_call  # noqa: E402
from coaching.asr.models import resolve_model  # noqa: E402
from coaching.asr.transcriber import WhisperTranscriber  # noqa: E402
from coaching.settings import Settings  # noqa: E402


def run_one_model(model: str, samples: list[str], vocabulary_mode: str) -> list[dict[str, object]]:
    settings = Settings.from_env({"COACHING_DATA_DIR": str(REPO / "data")})
    info = resolve_model(model, models_dir=settings.models_dir)
    transcriber = WhisperTranscriber(info, device=settings.device, vocabulary_mode=vocabulary_mode)
    rows = []
    for name in samples:
        truth = load_truth(name)
        if truth["language"] not in info.languages:
            continue
        request = AnalysisRequest(path=audio_path(name), agent_id="bench", language=None)
        started = time.perf_counter()
        analysis = analyse_call(request, settings=settings, transcriber=transcriber).analysis
        elapsed_s = time.perf_counter() - started
        lang = truth["language"]
        rates = speaker_error_rates(turns=truth["turns"], transcript=analysis.transcript, language=lang)["all"]
        rows.append(
            {
                "model": model,
                "vocabulary": vocabulary_mode,
                "sample": name,
                "language": lang,
                "detected": analysis.call.language,
                "audio_s": round(analysis.call.duration_s, 1),
                "time_s": round(elapsed_s, 2),
                "rtf": round(elapsed_s / analysis.call.duration_s, 3),
                "wer": round(rates.wer, 3),
                "cer": round(rates.cer, 3),
                "talk_ratio_err_pp": round(100 * abs(analysis.metrics.talk_ratio_agent - truth["talk_ratio_agent"]), 1),
            }
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        row["peak_rss_mib"] = round(peak_mib)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["base", "tiny.en"])
    parser.add_argument("--samples", nargs="+", default=[n for n in SAMPLE_NAMES if n != "en_short"])
    parser.add_argument("--vocabulary", action="store_true", help="compare vocabulary modes on fi and sv")
    parser.add_argument("--worker", nargs=2, metavar=("MODEL", "VOCABULARY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_one_model(args.worker[0], args.samples, args.worker[1])))
        return
    jobs = [(m, "auto") for m in args.models]
    samples = args.samples
    if args.vocabulary:
        jobs = [("base", mode) for mode in ("none", "prompt", "hotwords")]
        samples = [n for n in samples if n.startswith(("fi", "sv"))]
    rows: list[dict[str, object]] = []
    for model, mode in jobs:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", model, mode, "--samples", *samples],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        rows.extend(json.loads(out.stdout.strip().splitlines()[-1]))
    columns = ["model", "vocabulary", "sample", "detected", "audio_s", "time_s", "rtf", "wer", "cer",
               "talk_ratio_err_pp", "peak_rss_mib"]  # fmt: skip
    print(f"cores: {os.cpu_count()}")
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))


if __name__ == "__main__":
    main()

"""Batch throughput: calls per minute and audio minutes per wall minute of ``python -m coaching batch``.

Usage: python bench/bench_batch.py [--model tiny.en] [--calls 6] [--samples en_short en_poor] [--skip-ray]
Runs, in one go and in turn, the local engine and the Ray engine with 1 and 2 local workers, each on the same
folder of ``--calls`` recordings (the packaged samples, each copy with its own trailing silence so no copy is
skipped as already analysed) and a fresh database. Times are of the whole command as a user runs it: start-up,
model loading (once per Ray worker), the analyses and storage. On a shared machine the figures are noisy:
compare the rows of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audio_samples.truth import audio_path  # noqa: E402

SUMMARY = re.compile(r"analysed (\d+) \(([\d.]+) audio min\)")


def write_calls(folder: Path, samples: list[str], n: int) -> None:
    """``n`` recordings cycling through ``samples``; copy i gets i quarter seconds of silence (another sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = samples[i % len(samples)]
        data, rate = sf.read(audio_path(name), dtype="float32", always_2d=True)
        silence = np.zeros((int(rate * 0.25 * (i + 1)), data.shape[1]), dtype=np.float32)
        sf.write(folder / f"{name}-{i}.flac", np.concatenate([data, silence]), rate)


def run_batch(folder: Path, data_dir: Path, model: str | None, engine: list[str]) -> tuple[int, float, float]:
    """Calls analysed, audio seconds and wall seconds of one batch command on a fresh data folder."""
    env = {**os.environ, "COACHING_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    env.pop("COACHING_DB_URL", None)
    if model:
        env["COACHING_WHISPER_MODEL"] = model
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "coaching", "batch", str(folder), "--agent", "bench", *engine],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    wall_s = time.perf_counter() - started
    found = SUMMARY.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"batch {' '.join(engine)} failed ({done.returncode}): {done.stdout}{done.stderr[-2000:]}")
    return int(found.group(1)), float(found.group(2)) * 60, wall_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="speech model (default: COACHING_WHISPER_MODEL or base)")
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--samples", nargs="+", default=["en_short", "en_poor"])
    parser.add_argument("--skip-ray", action="store_true", help="the local engine only")
    args = parser.parse_args()
    engines = [("local", []), ("ray, 1 worker", ["--engine", "ray", "--workers", "1"])]
    engines.append(("ray, 2 workers", ["--engine", "ray", "--workers", "2"]))
    if args.skip_ray:
        engines = engines[:1]
    print(f"{'engine':16} {'calls':>5} {'audio min':>9} {'wall s':>7} {'calls/min':>9} {'audio min/wall min':>18}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "calls"
        write_calls(folder, args.samples, args.calls)
        for n, (label, options) in enumerate(engines):
            calls, audio_s, wall_s = run_batch(folder, Path(tmp) / f"data{n}", args.model, options)
            per_min = wall_s / 60
            print(
                f"{label:16} {calls:5d} {audio_s / 60:9.2f} {wall_s:7.1f} {calls / per_min:9.2f} "
                f"{audio_s / 60 / per_min:18.2f}",
                flush=True,
            )
    print(f"cpu cores: {os.cpu_count()}; wall time includes start-up and model loading (per Ray worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

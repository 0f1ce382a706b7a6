"""Decode benchmark: speed (x real time) and peak memory of ``decode_audio`` on long stereo files.

Run from the repository root: .venv/bin/python -m bench.bench_decode [--minutes 10] [--repeats 3]
The files (a tone per channel plus faint noise, 44.1 kHz stereo) are built with ffmpeg in a temp dir.
Each decode runs in a freshly spawned process (the file was just written, so it is in the page
cache); peak RSS is sampled every 5 ms by a thread and reported above the process's
RSS before the decode, as a multiple of one float32 copy of the output.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil

from coaching.audio.decode import decode_audio

ENCODINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mp3": (".mp3", ("-c:a", "libmp3lame", "-b:a", "128k")),
    "flac": (".flac", ("-c:a", "flac")),
    "wav_mulaw_8k": (".wav", ("-c:a", "pcm_mulaw", "-ar", "8000")),
}
SIGNAL = "aevalsrc=0.3*sin(2*PI*440*t)+0.01*(random(0)-0.5)|0.3*sin(2*PI*1000*t)+0.01*(random(1)-0.5):s=44100"


def build(folder: Path, *, fmt: str, minutes: float) -> Path:
    suffix, args = ENCODINGS[fmt]
    target = folder / f"call_{fmt}{suffix}"
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", SIGNAL]
    subprocess.run([*command, "-t", str(minutes * 60), *args, str(target)], check=True, timeout=600)
    return target


class PeakRss:
    """Samples this process's RSS in a thread; ``peak_bytes`` is the highest value seen."""

    def __init__(self, *, interval_s: float = 0.005) -> None:
        self._process = psutil.Process()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self.peak_bytes = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)
            time.sleep(self._interval_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)


def decode_once(path: Path, max_duration_s: float) -> tuple[float, int, int]:
    """In a fresh process: (decode seconds, peak RSS above the pre-decode RSS, output bytes)."""
    baseline = psutil.Process().memory_info().rss
    with PeakRss() as rss:
        start = time.perf_counter()
        audio = decode_audio(path, max_file_bytes=2**40, max_duration_s=max_duration_s)
        elapsed_s = time.perf_counter() - start
    return elapsed_s, rss.peak_bytes - baseline, int(audio.samples.nbytes)


def measure(path: Path, *, minutes: float, repeats: int) -> None:
    """Each repeat in a new spawned process, so freed heap from an earlier run cannot hide the peak."""
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeats):
        with context.Pool(1) as pool:
            runs.append(pool.apply(decode_once, (path, minutes * 60 + 60)))
    median_s = statistics.median(r[0] for r in runs)
    peak_mb = statistics.median(r[1] for r in runs) / 1e6
    output_mb = runs[0][2] / 1e6
    print(
        f"{path.name:22s} {path.stat().st_size / 1e6:7.1f} MB  decode median {median_s:6.2f} s "
        f"= {minutes * 60 / median_s:6.0f}x real time  peak RSS +{peak_mb:5.0f} MB "
        f"= {peak_mb / output_mb:.2f}x one float32 output copy ({output_mb:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["mp3", "flac"], choices=sorted(ENCODINGS))
    options = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        raise SystemExit("ffmpeg is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {fmt: build(Path(tmp), fmt=fmt, minutes=options.minutes) for fmt in options.formats}
        print(f"decode_audio to 16 kHz float32, {options.minutes:g} min stereo, {options.repeats} repeats")
        for path in paths.values():
            measure(path, minutes=options.minutes, repeats=options.repeats)


if __name__ == "__main__":
    main()

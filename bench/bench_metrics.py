"""Metrics benchmark: compute_metrics (with voice delivery) and VAD time as a share of the audio duration.

Run from the repository root: .venv/bin/python -m bench.bench_metrics [--repeats 5]
Uses the sample calls in audio_samples/ (speech spans from VAD per channel, words from the
ground truth) plus one long call made by joining them end to end; without the samples it
times a synthetic 5-minute call (tones: Silero finds no speech in them, so the metrics fall
back to the transcript's segment times). Target: metrics + voice delivery <= 1 % of the audio.
The first call in a process pays librosa's one-off numba loading; it is reported apart ("cold").
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import statistics
import time
from collections.abc import Callable

import numpy as np

from coaching.metrics.compute import SpeakerSignals, compute_metrics
from coaching.models import SPEAKERS, Segment, Speaker, SpeechSpan, Transcript, Word
from coaching.speakers.vad import speech_spans_from_vad

RATE_HZ = 16_000
Call = tuple[str, Transcript, np.ndarray]  # name, transcript (words), stereo samples (2, n)


def _median_s(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _with_vad_spans(transcript: Transcript, samples: np.ndarray) -> Transcript:
    spans = [
        SpeechSpan(speaker=speaker, start_s=a, end_s=b)
        for channel, speaker in enumerate(SPEAKERS)
        for a, b in speech_spans_from_vad(samples=samples[channel], sample_rate_hz=RATE_HZ)
    ]
    return dataclasses.replace(transcript, speech_spans=tuple(sorted(spans, key=lambda s: s.start_s)))


def _shift(segment: Segment, offset_s: float) -> Segment:
    words = tuple(dataclasses.replace(w, start_s=w.start_s + offset_s, end_s=w.end_s + offset_s) for w in segment.words)
    return dataclasses.replace(segment, start_s=segment.start_s + offset_s, end_s=segment.end_s + offset_s, words=words)


def sample_calls() -> list[Call]:
    """The sample calls, and one long call joining the six full-length ones (empty if samples are missing)."""
    import soundfile as sf

    from audio_samples.truth import SAMPLE_NAMES, audio_path, truth_transcript

    calls: list[Call] = []
    for name in SAMPLE_NAMES:
        if not audio_path(name).is_file():
            return []
        samples, rate = sf.read(audio_path(name), dtype="float32")
        assert rate == RATE_HZ
        calls.append((name, truth_transcript(name), np.ascontiguousarray(samples.T)))
    joined_segments: list[Segment] = []
    offset_s = 0.0
    for _, transcript, samples in calls[:6]:
        joined_segments += [_shift(s, offset_s) for s in transcript.segments]
        offset_s += samples.shape[1] / RATE_HZ
    # one language for the whole join: word lists then miss the fi/sv words, which does not change the timing
    joined = Transcript(language="en", segments=tuple(joined_segments), speech_spans=(), channel_mode="left")
    calls.append(("joined_6", joined, np.concatenate([c[2] for c in calls[:6]], axis=1)))
    return calls


def synthetic_call(*, seconds: float = 300.0, seed: int = 0) -> Call:
    """Alternating voice-like tones (agent 210 Hz, customer 110 Hz) with a matching English transcript."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ)
    samples = np.zeros((2, n), np.float32)
    segments: list[Segment] = []
    pos_s, turn = 0.5, 0
    while pos_s < seconds - 8:
        speaker: Speaker = "agent" if turn % 2 == 0 else "customer"
        length_s = float(rng.uniform(2.0, 12.0))
        a, b = int(pos_s * RATE_HZ), int((pos_s + length_s) * RATE_HZ)
        t = np.arange(b - a) / RATE_HZ
        f0 = (210.0 if speaker == "agent" else 110.0) * 2 ** (np.sin(2 * np.pi * 0.3 * t) / 6)
        phase = 2 * np.pi * np.cumsum(f0) / RATE_HZ
        samples[turn % 2, a:b] = 0.2 * (np.sin(phase) + 0.4 * np.sin(2 * phase))
        n_words = max(1, int(length_s * 2.5))
        step_s = length_s / n_words
        words = tuple(
            Word(word=" payment", start_s=pos_s + k * step_s, end_s=pos_s + (k + 1) * step_s, probability=0.9)
            for k in range(n_words)
        )
        segments.append(Segment(speaker=speaker, start_s=pos_s, end_s=pos_s + length_s, text="", words=words))
        pos_s += length_s + float(rng.uniform(0.2, 2.0))
        turn += 1
    samples += (0.001 * rng.standard_normal(samples.shape)).astype(np.float32)
    return "synthetic_5min", Transcript("en", tuple(segments), (), "left"), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    calls = sample_calls() or [synthetic_call()]
    cold_start = time.perf_counter()
    name, transcript, samples = calls[0]
    signals = SpeakerSignals(sample_rate_hz=RATE_HZ, agent=samples[0], customer=samples[1])
    compute_metrics(transcript=_with_vad_spans(transcript, samples), signals=signals)
    print(f"cold first call (VAD + metrics, loads Silero and librosa/numba): {time.perf_counter() - cold_start:.2f} s")
    print(f"{'call':15s} {'audio s':>8s} {'VAD ms':>8s} {'VAD %':>6s} {'metrics ms':>11s} {'metrics %':>10s}")
    shares = []
    for name, transcript, samples in calls:
        duration_s = samples.shape[1] / RATE_HZ
        signals = SpeakerSignals(sample_rate_hz=RATE_HZ, agent=samples[0], customer=samples[1])
        with_spans = _with_vad_spans(transcript, samples)
        vad_s = _median_s(functools.partial(_with_vad_spans, transcript, samples), args.repeats)
        metrics_s = _median_s(functools.partial(compute_metrics, transcript=with_spans, signals=signals), args.repeats)
        shares.append(100 * metrics_s / duration_s)
        print(
            f"{name:15s} {duration_s:8.1f} {1000 * vad_s:8.0f} {100 * vad_s / duration_s:6.2f} "
            f"{1000 * metrics_s:11.0f} {100 * metrics_s / duration_s:10.2f}"
        )
    median, worst = statistics.median(shares), max(shares)
    print(f"metrics + voice delivery: median {median:.2f} %, max {worst:.2f} % of audio (target <= 1 %)")


if __name__ == "__main__":
    main()

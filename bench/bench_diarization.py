"""Diarization benchmark: real-time factor and accuracy on ~60 s espeak-ng two-voice mono mixes.

Run from the repository root: .venv/bin/python -m bench.bench_diarization [--seconds 60] [--repeats 3]
Speech spans come from faster-whisper's Silero VAD (300 ms minimum silence), as in the pipeline.
Accuracy is time-weighted over the true speech, after the better of the two label mappings.
Rows: a male and a female voice per language (fi, sv, en), then two harder Finnish cases:
two male voices, and one voice speaking every turn (should give 1 speaker).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from coaching.speakers.diarization import Diarization, diarize

RATE_HZ = 16_000
CASES = {  # name: (language, voice of the even turns, voice of the odd turns)
    "fi": ("fi", ["-v", "fi+m3", "-p", "40"], ["-v", "fi+f2", "-p", "75"]),
    "sv": ("sv", ["-v", "sv+m3", "-p", "40"], ["-v", "sv+f2", "-p", "75"]),
    "en": ("en", ["-v", "en+m3", "-p", "40"], ["-v", "en+f2", "-p", "75"]),
    "fi-2male": ("fi", ["-v", "fi+m3", "-p", "40"], ["-v", "fi+m7", "-p", "45"]),
    "fi-1voice": ("fi", ["-v", "fi+m3", "-p", "50"], ["-v", "fi+m3", "-p", "50"]),
}
LINES = {
    "fi": [
        "Hyvää päivää, nimeni on Anna ja soitan perintätoimistosta, miten voin auttaa?",
        "Päivää, sain teiltä kirjeen laskusta, jota en muista.",
        "Ymmärrän tilanteenne. Katsotaan yhdessä, mistä laskusta on kyse.",
        "Minulta loppui työ keväällä, ja rahat ovat olleet tiukalla.",
        "Kuulostaa hankalalta. Voimme tehdä maksusuunnitelman, mikä summa sopisi teille kuukaudessa?",
        "Ehkä viisikymmentä euroa kuussa onnistuisi.",
        "Eli sovitaan, että maksatte viisikymmentä euroa kuun viidentenä päivänä.",
        "Kyllä, se sopii minulle hyvin, kiitos.",
    ],
    "sv": [
        "God dag, jag heter Anna och ringer från inkassobyrån, hur kan jag hjälpa till?",
        "Hej, jag fick ett brev om en faktura som jag inte känner igen.",
        "Jag förstår. Vi tittar tillsammans på vilken faktura det gäller.",
        "Jag förlorade jobbet i våras och pengarna har varit knappa.",
        "Det låter svårt. Vi kan göra en betalningsplan, vilket belopp skulle passa er per månad?",
        "Kanske femtio euro i månaden skulle gå.",
        "Då kommer vi överens om att ni betalar femtio euro den femte varje månad.",
        "Ja, det passar mig bra, tack.",
    ],
    "en": [
        "Good morning, my name is Anna and I am calling from the collection agency, how can I help?",
        "Hello, I got a letter about an invoice that I do not recognise.",
        "I understand your situation. Let us look together at which invoice this is.",
        "I lost my job in the spring and money has been tight.",
        "That sounds difficult. We can set up a payment plan, what amount would work for you each month?",
        "Maybe fifty euros a month would be possible.",
        "So we agree that you pay fifty euros on the fifth day of each month.",
        "Yes, that suits me well, thank you.",
    ],
}


def speak(*, text: str, voice: list[str], workdir: Path) -> np.ndarray:
    """espeak-ng speech at RATE_HZ, shape (n_samples,), leading and trailing silence trimmed."""
    path = workdir / "turn.wav"
    subprocess.run(["espeak-ng", *voice, "-s", "160", "-w", str(path), text], check=True, capture_output=True)
    audio, rate_hz = sf.read(path, dtype="float32")
    audio = resample_poly(audio, RATE_HZ, rate_hz).astype(np.float32)
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0] : loud[-1] + 1]


def build_mix(
    *, case: str, seconds: float, seed: int, workdir: Path
) -> tuple[np.ndarray, list[tuple[float, float, int]]]:
    """Alternating two-voice mono mix (n_samples,) and its truth turns (start_s, end_s, speaker)."""
    rng = np.random.default_rng(seed)
    language, *voices = CASES[case]
    lines = LINES[str(language)]
    cache = {(i, s): speak(text=t, voice=list(voices[s]), workdir=workdir) for i, t in enumerate(lines) for s in (0, 1)}
    pieces: list[np.ndarray] = [np.zeros(int(0.5 * RATE_HZ), dtype=np.float32)]
    truth: list[tuple[float, float, int]] = []
    cursor, turn = pieces[0].size, 0
    while cursor / RATE_HZ < seconds:
        speaker = turn % 2
        audio = cache[(turn % len(lines), speaker)]
        truth.append((cursor / RATE_HZ, (cursor + audio.size) / RATE_HZ, speaker))
        gap = np.zeros(int(rng.uniform(0.35, 0.9) * RATE_HZ), dtype=np.float32)
        pieces += [audio, gap]
        cursor += audio.size + gap.size
        turn += 1
    mix = np.concatenate(pieces)
    return (mix + rng.normal(0, 0.002, mix.size)).astype(np.float32), truth


def vad_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=300, speech_pad_ms=100))
    return [(s["start"] / RATE_HZ, s["end"] / RATE_HZ) for s in stamps]


def accuracy(*, result: Diarization, truth: list[tuple[float, float, int]]) -> float:
    """Time-weighted share of true speech given the right speaker, under the better label mapping."""
    hits = total = 0
    for start_s, end_s, speaker in truth:
        for t in np.arange(start_s, end_s, 0.01):
            hits += result.speaker_at(float(t)) == speaker
            total += 1
    return max(hits, total - hits) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed")
    print(f"{'case':<10}{'audio_s':>8}{'spans':>7}{'rtf_median':>12}{'accuracy':>10}{'confidence':>12}{'speakers':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            mix, truth = build_mix(case=case, seconds=args.seconds, seed=7, workdir=Path(tmp))
            spans = vad_spans(mix)
            duration_s = mix.size / RATE_HZ
            diarize(samples=mix[: RATE_HZ * 5], sample_rate_hz=RATE_HZ, speech_spans_s=[(0.5, 4.5)])  # warm imports
            times = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                result = diarize(samples=mix, sample_rate_hz=RATE_HZ, speech_spans_s=spans)
                times.append(time.perf_counter() - began)
            rtf = float(np.median(times)) / duration_s
            one_voice = CASES[case][1] == CASES[case][2]
            acc = "n/a" if one_voice else f"{accuracy(result=result, truth=truth):.3f}"
            print(
                f"{case:<10}{duration_s:>8.1f}{len(spans):>7}{rtf:>12.4f}{acc:>10}"
                f"{result.confidence:>12.2f}{result.n_speakers:>10}"
            )


if __name__ == "__main__":
    main()

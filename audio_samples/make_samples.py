"""Make the stereo sample calls with espeak-ng: agent on the left, customer on the right.

Run: ``.venv/bin/python audio_samples/make_samples.py``. Deterministic; writes
``NAME.flac`` and ``NAME.json`` beside this file for every script in scripts.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio_samples.measure import summarize
from audio_samples.scripts import SCRIPTS, VOICES, CallScript, Voice
from coaching.errors import AudioError

SAMPLE_RATE_HZ = 16000
PEAK = 0.4
TRIM_THRESHOLD = 0.01
LEAD_S = 0.5
TAIL_S = 0.6
OUT_DIR = Path(__file__).resolve().parent


def synthesize(*, text: str, voice: Voice, workdir: Path) -> np.ndarray:
    """Speak ``text`` with espeak-ng; mono float32 at 16 kHz, peak-normalized, silence trimmed."""
    wav = workdir / "turn.wav"
    cmd = ["espeak-ng", "-v", voice.voice, "-p", str(voice.pitch), "-s", str(voice.speed_wpm), "-w", str(wav), text]
    subprocess.run(cmd, check=True, capture_output=True)
    raw, rate_hz = sf.read(wav, dtype="float64")
    if rate_hz != 22050:
        raise AudioError(f"espeak-ng wrote {rate_hz} Hz, expected 22050")
    audio = resample_poly(raw, 320, 441)
    audio = audio * (PEAK / float(np.max(np.abs(audio))))
    return trim(samples=audio.astype(np.float32), threshold=TRIM_THRESHOLD)


def trim(*, samples: np.ndarray, threshold: float) -> np.ndarray:
    """Drop leading and trailing samples whose amplitude is below ``threshold``."""
    loud = np.flatnonzero(np.abs(samples) >= threshold)
    if loud.size == 0:
        raise AudioError(f"espeak-ng produced silence (peak below {threshold})")
    return samples[loud[0] : loud[-1] + 1]


def build_call(*, script: CallScript, workdir: Path) -> tuple[np.ndarray, dict[str, object]]:
    """Stereo samples (2, n) and the ground-truth dict of one script."""
    voices = VOICES[script.language]
    clips: list[tuple[str, int, np.ndarray, str]] = []
    latest_end = int(LEAD_S * SAMPLE_RATE_HZ)
    for speaker, gap_s, text in script.turns:
        clip = synthesize(text=text, voice=voices[speaker], workdir=workdir)
        start = latest_end if not clips else latest_end + round(gap_s * SAMPLE_RATE_HZ)
        clips.append((speaker, start, clip, text))
        latest_end = max(latest_end, start + clip.size)
    total = latest_end + int(TAIL_S * SAMPLE_RATE_HZ)
    stereo = np.zeros((2, total), dtype=np.float32)
    turns = []
    for speaker, start, clip, text in clips:
        channel = 0 if speaker == "agent" else 1
        if np.any(stereo[channel, start : start + clip.size]):
            raise AudioError(f"{script.name}: {speaker} turns overlap at {start / SAMPLE_RATE_HZ:.2f} s")
        stereo[channel, start : start + clip.size] = clip
        start_s, end_s = start / SAMPLE_RATE_HZ, (start + clip.size) / SAMPLE_RATE_HZ
        turns.append({"speaker": speaker, "start_s": start_s, "end_s": end_s, "text": text})
    duration_s = total / SAMPLE_RATE_HZ
    truth: dict[str, object] = {
        "name": script.name,
        "language": script.language,
        "quality": script.quality,
        "sample_rate_hz": SAMPLE_RATE_HZ,
        "duration_s": duration_s,
        "agent_channel": "left",
        "voices": {s: {"voice": v.voice, "pitch": v.pitch, "speed_wpm": v.speed_wpm} for s, v in voices.items()},
        "turns": turns,
        **summarize(turns=turns, duration_s=duration_s),
    }
    return stereo, truth


def main() -> int:
    """Write every sample call; return a process exit code."""
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: apt-get install -y espeak-ng", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for script in SCRIPTS:
            stereo, truth = build_call(script=script, workdir=Path(tmp))
            sf.write(
                OUT_DIR / f"{script.name}.flac",
                stereo.T,
                SAMPLE_RATE_HZ,
                format="FLAC",
                subtype="PCM_16",
                compression_level=1.0,
            )
            (OUT_DIR / f"{script.name}.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            print(
                f"{script.name}: {truth['duration_s']:.1f} s, {len(script.turns)} turns, "
                f"agent share {truth['talk_ratio_agent']:.2f}, agent {truth['agent_words_per_minute']} wpm"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Make test audio files in a temporary folder (soundfile + the ffmpeg CLI).

Import as ``from tests.audio_factory import ...``. The signal is a seeded stereo
test tone: :data:`LEFT_HZ` on the left channel, :data:`RIGHT_HZ` on the right (mono
files carry only the left tone), with faint seeded noise.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

LEFT_HZ = 440.0
RIGHT_HZ = 1000.0
TONE_AMPLITUDE = 0.3
SOURCE_RATE_HZ = 44_100

# name → (file suffix, ffmpeg output arguments); all decodable by PyAV.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "wav_pcm16": (".wav", ("-c:a", "pcm_s16le")),
    "wav_mulaw_8k": (".wav", ("-c:a", "pcm_mulaw", "-ar", "8000")),
    "wav_alaw_8k": (".wav", ("-c:a", "pcm_alaw", "-ar", "8000")),
    "mp3": (".mp3", ("-c:a", "libmp3lame", "-b:a", "96k")),
    "m4a_aac": (".m4a", ("-c:a", "aac", "-b:a", "96k")),
    "ogg_opus": (".ogg", ("-c:a", "libopus", "-b:a", "64k")),
    "ogg_vorbis": (".ogg", ("-c:a", "libvorbis", "-q:a", "4")),
    "flac": (".flac", ("-c:a", "flac")),
}


def tone_signal(
    *, duration_s: float, channels: int = 2, sample_rate_hz: int = SOURCE_RATE_HZ, seed: int = 7
) -> np.ndarray:
    """Float32 ``(n_samples, channels)``: left tone, right tone, faint seeded noise (-60 dBFS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(duration_s * sample_rate_hz)) / sample_rate_hz
    tones = [LEFT_HZ, RIGHT_HZ][:channels]
    columns = [
        TONE_AMPLITUDE * np.sin(2 * np.pi * hz * t + rng.uniform(0, 2 * np.pi)) + 1e-3 * rng.standard_normal(t.size)
        for hz in tones
    ]
    return np.stack(columns, axis=1).astype(np.float32)


def write_wav(
    path: Path, samples: np.ndarray, *, sample_rate_hz: int = SOURCE_RATE_HZ, subtype: str = "PCM_16"
) -> Path:
    """Write ``(n_samples, channels)`` samples as WAV with soundfile."""
    sf.write(str(path), samples, sample_rate_hz, subtype=subtype)
    return path


def encode(source: Path, target: Path, *, ffmpeg_args: tuple[str, ...]) -> Path:
    """Encode ``source`` into ``target`` with the ffmpeg CLI."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed (apt-get install -y ffmpeg)")
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(source), *ffmpeg_args, str(target)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return target


def make_audio_file(
    directory: Path, *, fmt: str, channels: int = 2, duration_s: float = 2.5, stem: str = "call", seed: int = 7
) -> Path:
    """Write the tone signal in one of :data:`FORMATS` into ``directory``; return the path."""
    suffix, ffmpeg_args = FORMATS[fmt]
    directory.mkdir(parents=True, exist_ok=True)
    source = write_wav(
        directory / f"{stem}.{fmt}.{channels}ch.source.wav",
        tone_signal(duration_s=duration_s, channels=channels, seed=seed),
        subtype="FLOAT",
    )
    target = directory / f"{stem}.{fmt}.{channels}ch{suffix}"
    encode(source, target, ffmpeg_args=ffmpeg_args)
    source.unlink()
    return target


def truncated_copy(source: Path, target: Path, *, keep_bytes: int | None = None, keep_fraction: float = 0.5) -> Path:
    """Copy the first ``keep_bytes`` (or ``keep_fraction`` of the) bytes of ``source`` to ``target``."""
    data = source.read_bytes()
    count = keep_bytes if keep_bytes is not None else int(len(data) * keep_fraction)
    target.write_bytes(data[:count])
    return target


def header_only_wav(path: Path, *, channels: int = 2, sample_rate_hz: int = 16_000) -> Path:
    """A valid WAV header declaring zero samples."""
    return write_wav(path, np.zeros((0, channels), dtype=np.float32), sample_rate_hz=sample_rate_hz)


def random_bytes_file(path: Path, *, n_bytes: int = 4096, seed: int = 3) -> Path:
    """Seeded random bytes (not a known audio signature: the first byte is forced to 0x00)."""
    data = bytearray(np.random.default_rng(seed).integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    data[0] = 0
    path.write_bytes(bytes(data))
    return path


def flac_with_declared_samples(source: Path, target: Path, *, declared_samples: int) -> Path:
    """Copy a FLAC file, rewriting STREAMINFO's total-sample count (a file lying about its length)."""
    data = bytearray(source.read_bytes())
    if data[:4] != b"fLaC" or data[4] & 0x7F != 0:
        raise ValueError(f"{source.name}: no STREAMINFO block first")
    packed = int.from_bytes(data[18:26], "big")
    mask = (1 << 36) - 1
    data[18:26] = ((packed & ~mask) | (declared_samples & mask)).to_bytes(8, "big")
    target.write_bytes(bytes(data))
    return target

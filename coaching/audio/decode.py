"""Audio input: validate, decode (PyAV) to float32 channels, reject silence, store originals.

Every failure is an :class:`~coaching.errors.AudioError` subclass with a one-line
message naming the file; PyAV errors never leak.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from coaching.audio.files import sha256_file, store_original
from coaching.audio.sniff import HEAD_BYTES, ogg_lacks_end_of_stream, sniff_audio_kind, wav_declared_duration_s
from coaching.errors import (
    AudioError,
    AudioTooLargeError,
    AudioTooLongError,
    EmptyAudioError,
    NotAudioError,
    SilentAudioError,
    TooManyChannelsError,
    TruncatedAudioError,
)
from coaching.models import DecodedAudio

__all__ = [
    "MIN_USABLE_TRUNCATED_S",
    "SILENCE_RMS_DBFS",
    "AudioInfo",
    "check_not_silent",
    "decode_audio",
    "probe_audio",
    "sha256_file",
    "store_original",
]

SILENCE_RMS_DBFS = -60.0
"""A call whose loudest channel has an RMS level below this (dBFS, full scale = 1.0) is silent."""

MIN_USABLE_TRUNCATED_S = 1.0
"""A truncated file is analysed only if at least this much audio decodes."""

_MAX_CHANNELS = 2
_BYTES_PER_MB = 1024 * 1024
# Decoded audio shorter than the declared duration by both margins counts as truncated.
_TRUNCATED_MIN_GAP_S = 0.5
_TRUNCATED_MIN_GAP_RATIO = 0.1


@dataclass(frozen=True)
class AudioInfo:
    """What the container says, before decoding. ``format_name`` is ffmpeg's short name (``wav``, ``m4a``, ...)."""

    format_name: str
    codec_name: str
    channels: int
    sample_rate_hz: int
    duration_s: float | None
    size_bytes: int


def probe_audio(path: Path, *, max_file_bytes: int, max_duration_s: float) -> AudioInfo:
    """Cheap checks before decoding: size, container, audio stream, channels, declared duration, a first packet."""
    with _open_audio(path, max_file_bytes=max_file_bytes, max_duration_s=max_duration_s) as (info, container, stream):
        if not _has_audio_packet(container, stream):
            raise EmptyAudioError(f"{path.name}: no audio samples (header only)")
        return info


def decode_audio(
    path: Path, *, max_file_bytes: int, max_duration_s: float, target_sample_rate_hz: int = 16000
) -> DecodedAudio:
    """Probe, then decode to float32 ``(n_channels, n_samples)`` at ``target_sample_rate_hz``.

    Channels stay separate. A truncated file with at least
    :data:`MIN_USABLE_TRUNCATED_S` of audio is kept with a warning.
    """
    name = path.name
    with _open_audio(path, max_file_bytes=max_file_bytes, max_duration_s=max_duration_s) as (info, container, stream):
        layout = "mono" if info.channels == 1 else "stereo"
        chunks, error = _decode_chunks(
            container, stream, layout=layout, rate_hz=target_sample_rate_hz, max_duration_s=max_duration_s, name=name
        )
    n_samples = sum(chunk.shape[1] for chunk in chunks)
    decoded_s = n_samples / target_sample_rate_hz
    declared_s = max(info.duration_s or 0.0, _wav_declared_s(path) or 0.0)
    short = declared_s - decoded_s >= max(_TRUNCATED_MIN_GAP_S, _TRUNCATED_MIN_GAP_RATIO * declared_s)
    short = short or (info.format_name == "ogg" and ogg_lacks_end_of_stream(_read_tail(path)))
    if n_samples == 0:
        if error is not None and not short:
            raise NotAudioError(f"{name}: the audio stream cannot be decoded ({error})")
        if error is not None or short:
            raise TruncatedAudioError(f"{name}: file is truncated: no audio could be decoded")
        raise EmptyAudioError(f"{name}: no audio samples (header only)")
    warnings: list[str] = []
    if error is not None or short:
        if decoded_s < MIN_USABLE_TRUNCATED_S:
            raise TruncatedAudioError(
                f"{name}: file is truncated: only {decoded_s:.2f} s could be decoded, "
                f"at least {MIN_USABLE_TRUNCATED_S:g} s is needed"
            )
        warnings.append(f"file is truncated: analysed the first {decoded_s:.1f} s")
    samples = np.concatenate(chunks, axis=1) if len(chunks) > 1 else chunks[0]
    del chunks
    _sanitise_in_place(samples)
    return DecodedAudio(
        samples=samples,
        sample_rate_hz=target_sample_rate_hz,
        sha256=sha256_file(path),
        source_format=f"{info.format_name}/{info.codec_name}",
        warnings=tuple(warnings),
    )


def _sanitise_in_place(samples: np.ndarray, *, block_samples: int = 1 << 20) -> None:
    """NaN → 0, clip to [-1, 1], block by block so temporaries stay small."""
    for start in range(0, samples.shape[1], block_samples):
        block = samples[:, start : start + block_samples]
        np.nan_to_num(block, copy=False, nan=0.0, posinf=1.0, neginf=-1.0)
        np.clip(block, -1.0, 1.0, out=block)


def check_not_silent(audio: DecodedAudio, *, filename: str) -> None:
    """Raise :class:`SilentAudioError` if every channel is digital silence or below :data:`SILENCE_RMS_DBFS`."""
    levels = [_rms_dbfs(audio.channel(i)) for i in range(audio.n_channels)]
    loudest = max(levels, default=-math.inf)
    if loudest == -math.inf:
        raise SilentAudioError(f"{filename}: the audio is digital silence (all samples are zero)")
    if loudest < SILENCE_RMS_DBFS:
        raise SilentAudioError(
            f"{filename}: the audio is silent (loudest channel {loudest:.1f} dBFS RMS, below {SILENCE_RMS_DBFS:g} dBFS)"
        )


def _rms_dbfs(channel: np.ndarray, *, chunk_samples: int = 1 << 20) -> float:
    """RMS level in dBFS, accumulated in float64 chunk by chunk; -inf for all zeros."""
    if channel.size == 0:
        return -math.inf
    energy = 0.0
    for start in range(0, channel.size, chunk_samples):
        part = channel[start : start + chunk_samples].astype(np.float64)
        energy += float(np.dot(part, part))
    if energy == 0.0:
        return -math.inf
    return 10.0 * math.log10(energy / channel.size)


@contextmanager
def _open_audio(path: Path, *, max_file_bytes: int, max_duration_s: float) -> Iterator[tuple[AudioInfo, Any, Any]]:
    """Validate and open; yield (info, container, audio stream); always close the container."""
    name = path.name
    size_bytes = _checked_size(path, max_file_bytes=max_file_bytes)
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except Exception as exc:
        kind = sniff_audio_kind(_read_head(path))
        if kind is not None:
            raise TruncatedAudioError(
                f"{name}: file is truncated or damaged: it starts like {kind} but cannot be read ({_reason(exc)})"
            ) from None
        raise NotAudioError(f"{name}: not an audio file ({_reason(exc)})") from None
    try:
        info, stream = _inspect(container, path=path, size_bytes=size_bytes)
        if info.duration_s is not None and info.duration_s > max_duration_s:
            limit = _format_duration(max_duration_s, is_limit=True)
            raise AudioTooLongError(
                f"{name}: {_format_duration(info.duration_s)} long, over the {limit} limit (COACHING_MAX_DURATION_MIN)"
            )
        yield info, container, stream
    finally:
        container.close()


def _checked_size(path: Path, *, max_file_bytes: int) -> int:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise AudioError(f"{path.name}: file not found") from None
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
    if not path.is_file():
        raise AudioError(f"{path.name}: not a regular file")
    if stat.st_size == 0:
        raise EmptyAudioError(f"{path.name}: file is empty (0 bytes)")
    if stat.st_size > max_file_bytes:
        limit = _format_bytes(max_file_bytes, is_limit=True)
        raise AudioTooLargeError(
            f"{path.name}: file is {_format_bytes(stat.st_size)}, over the {limit} limit (COACHING_MAX_FILE_MB)"
        )
    return stat.st_size


def _inspect(container: Any, *, path: Path, size_bytes: int) -> tuple[AudioInfo, Any]:
    name = path.name
    try:
        streams = list(container.streams.audio)
        if not streams:
            raise NotAudioError(f"{name}: not an audio file (no audio stream found)")
        stream = streams[0]
        context = stream.codec_context
        channels = int(context.channels or 0)
        duration_s = _declared_duration_s(container, stream)
        info = AudioInfo(
            format_name=_short_format_name(str(container.format.name), suffix=path.suffix),
            codec_name=str(context.codec.canonical_name),
            channels=channels,
            sample_rate_hz=int(context.sample_rate or 0),
            duration_s=duration_s,
            size_bytes=size_bytes,
        )
    except AudioError:
        raise
    except Exception as exc:
        raise NotAudioError(f"{name}: not a readable audio file ({_reason(exc)})") from None
    if channels > _MAX_CHANNELS:
        raise TooManyChannelsError(f"{name}: {channels} channels; at most 2 (agent and customer) are supported")
    if channels < 1:
        raise NotAudioError(f"{name}: not a readable audio file (the audio stream has no channels)")
    return info, stream


def _has_audio_packet(container: Any, stream: Any) -> bool:
    """True when the stream yields a non-empty packet; read errors are left for decoding to report."""
    try:
        return any(packet.size > 0 for packet in container.demux(stream))
    except Exception:
        return True


def _decode_chunks(
    container: Any, stream: Any, *, layout: str, rate_hz: int, max_duration_s: float, name: str
) -> tuple[list[np.ndarray], str | None]:
    """Decode and resample frame by frame; stop at the first PyAV error and return its reason.

    Raises :class:`AudioTooLongError` as soon as the output passes ``max_duration_s``,
    so a file lying about its length cannot exhaust memory.
    """
    max_samples = int(max_duration_s * rate_hz)
    chunks: list[np.ndarray] = []
    total = 0
    resampler: Any = None
    input_key: tuple[str, str, int] | None = None
    error: str | None = None

    def take(frames: list[Any]) -> None:
        nonlocal total
        for out in frames:
            array = np.asarray(out.to_ndarray(), dtype=np.float32)
            chunks.append(array if array.flags.owndata else array.copy())  # never a view into a frame buffer
            total += out.samples
        if total > max_samples:
            limit = _format_duration(max_duration_s, is_limit=True)
            raise AudioTooLongError(
                f"{name}: longer than the {limit} limit (COACHING_MAX_DURATION_MIN); "
                f"decoding stopped at {_format_duration(total / rate_hz)}"
            )

    try:
        for packet in container.demux(stream):
            for frame in packet.decode():
                key = (frame.format.name, frame.layout.name, int(frame.sample_rate))
                if key != input_key:
                    if resampler is not None:
                        take(resampler.resample(None))
                    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate_hz)
                    input_key = key
                take(resampler.resample(frame))
        if resampler is not None:
            take(resampler.resample(None))
    except AudioError:
        raise
    except Exception as exc:
        error = _reason(exc)
    return chunks, error


def _declared_duration_s(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000.0
    return None


def _wav_declared_s(path: Path) -> float | None:
    try:
        return wav_declared_duration_s(_read_head(path))
    except (OSError, ValueError):
        return None


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


def _read_tail(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - HEAD_BYTES))
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


def _short_format_name(ffmpeg_name: str, *, suffix: str) -> str:
    """``mov,mp4,m4a,...`` → the file's own suffix when listed, else the first name."""
    names = ffmpeg_name.split(",")
    ext = suffix.lower().lstrip(".")
    return ext if ext in names else names[0]


def _reason(exc: BaseException) -> str:
    """One-line reason from a PyAV/OS error, without ffmpeg's errno and file name decoration."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _format_bytes(n_bytes: int, *, is_limit: bool = False) -> str:
    """``310.0 MB`` for a size, ``200 MB`` for a whole-number limit; KB or bytes below 1 MB."""
    if n_bytes >= _BYTES_PER_MB:
        return _with_unit(n_bytes / _BYTES_PER_MB, "MB", is_limit=is_limit)
    if n_bytes >= 1024:
        return _with_unit(n_bytes / 1024, "KB", is_limit=is_limit)
    return f"{n_bytes} bytes"


def _format_duration(seconds: float, *, is_limit: bool = False) -> str:
    """``150.0 min`` for a length, ``120 min`` for a whole-number limit; seconds below a minute."""
    if seconds >= 60.0:
        return _with_unit(seconds / 60.0, "min", is_limit=is_limit)
    return _with_unit(seconds, "s", is_limit=is_limit)


def _with_unit(value: float, unit: str, *, is_limit: bool) -> str:
    if is_limit and float(value).is_integer():
        return f"{value:.0f} {unit}"
    return f"{value:.1f} {unit}"

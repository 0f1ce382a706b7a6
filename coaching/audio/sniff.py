"""Byte-level looks at an audio file's start: known signatures and the WAV header.

Used by :mod:`coaching.audio.decode` to tell a truncated audio file from a non-audio one,
and to read the length a WAV header declares (ffmpeg clamps it to the file size).
"""

from __future__ import annotations

import struct

HEAD_BYTES = 64 * 1024
"""How much of the file's start these helpers need."""

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"RIFF", "WAV"),
    (0, b"RIFX", "WAV"),
    (0, b"ID3", "MP3"),
    (0, b"fLaC", "FLAC"),
    (0, b"OggS", "Ogg"),
    (4, b"ftyp", "MP4/M4A"),
    (0, b"\xff\xfb", "MP3"),
    (0, b"\xff\xf3", "MP3"),
    (0, b"\xff\xf2", "MP3"),
    (0, b"\xff\xf1", "AAC"),
    (0, b"\xff\xf9", "AAC"),
)

# WAVE format tags whose block_align is one sample frame: PCM, IEEE float, A-law, μ-law, extensible.
_FRAME_ALIGNED_TAGS = frozenset({0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE})
_UNKNOWN_SIZE = 0xFFFFFFFF


def sniff_audio_kind(head: bytes) -> str | None:
    """Name the audio format ``head`` starts like (e.g. ``"FLAC"``), or None."""
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None


def wav_declared_duration_s(head: bytes) -> float | None:
    """Duration the RIFF/WAVE header's data chunk declares, or None when unknown.

    None for non-WAV input, a size placeholder (0 or 0xFFFFFFFF), a codec whose
    block is not one sample frame, or a header whose data chunk is not in ``head``.
    """
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    block_align = sample_rate_hz = tag = 0
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        (size,) = struct.unpack_from("<I", head, pos + 4)
        if chunk_id == b"fmt " and pos + 22 <= len(head):
            tag, _channels, sample_rate_hz = struct.unpack_from("<HHI", head, pos + 8)
            (block_align,) = struct.unpack_from("<H", head, pos + 20)
        elif chunk_id == b"data":
            if size in (0, _UNKNOWN_SIZE) or tag not in _FRAME_ALIGNED_TAGS or not block_align or not sample_rate_hz:
                return None
            return size / block_align / sample_rate_hz
        pos += 8 + size + (size & 1)
    return None


def ogg_lacks_end_of_stream(tail: bytes) -> bool:
    """True when the last Ogg page starting in ``tail`` (a file's end) lacks the end-of-stream flag: a cut file."""
    index = tail.rfind(b"OggS")
    if index < 0 or tail[index + 4 : index + 5] != b"\x00":
        return False
    flags = tail[index + 5 : index + 6]
    return not flags or not flags[0] & 0x04

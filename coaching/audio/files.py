"""Storage of recordings under the sha256 of the uploaded file (the call's key): the stored copy the app plays
(:func:`store_audio`, FLAC of the decoded, redacted samples) and, only when kept, the unredacted original
(:func:`store_original`, a verified verbatim copy)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from coaching.errors import AudioError
from coaching.models import DecodedAudio

_CHUNK_BYTES = 1024 * 1024
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_SAFE_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,10}")


def sha256_file(path: Path) -> str:
    """Hex sha256 of the file's bytes, read in chunks; the same unchanged file (path, size, modification time,
    inode) is read only once per process (the CLI and the service check the stored call before decoding)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if (known := _recent_hashes.get(key)) is None:
        known = _recent_hashes[key] = _sha256_read(path)
        while len(_recent_hashes) > _RECENT_HASHES:
            del _recent_hashes[next(iter(_recent_hashes))]
    return known


_RECENT_HASHES = 64
_recent_hashes: dict[tuple[str, int, int, int], str] = {}


def _sha256_read(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
    return digest.hexdigest()


def stored_path(*, audio_dir: Path, sha256: str, suffix: str) -> Path:
    """Where a file with this hash and suffix lives: ``audio_dir/<sha[:2]>/<sha256><suffix>``."""
    return audio_dir / sha256[:2] / f"{sha256}{suffix}"


def store_audio(audio: DecodedAudio, *, audio_dir: Path) -> Path:
    """Write ``audio`` (already redacted: :func:`coaching.redaction.tone_over`) as 16-bit FLAC at its sample rate
    and channels to ``audio_dir/<sha[:2]>/<sha256>.flac``, ``sha256`` being the uploaded file's; atomic, and it
    replaces what an earlier analysis of the same recording stored there (also a verbatim copy of older versions)."""
    sha256 = audio.sha256
    if not _SHA256_RE.fullmatch(sha256):
        raise AudioError(f"{sha256!r} is not a lowercase hex sha256")
    target = stored_path(audio_dir=audio_dir, sha256=sha256, suffix=".flac")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                frames = np.clip(audio.samples, -1.0, 1.0).T
                sf.write(handle, frames, audio.sample_rate_hz, format="FLAC", subtype="PCM_16")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        for older in target.parent.glob(f"{sha256}.*"):
            if older != target and older.is_file():
                older.unlink()
    except (OSError, sf.LibsndfileError) as exc:
        raise AudioError(f"cannot store the recording in {audio_dir} ({exc})") from None
    return target


def store_original(path: Path, *, audio_dir: Path, sha256: str) -> Path:
    """Copy ``path`` into ``audio_dir/<sha[:2]>/<sha256><ext>`` atomically; return the stored path.

    A no-op when a file with this hash is already stored (under any extension), so
    the same content under another name maps to the same stored file. The copy is
    hashed while written and must match ``sha256``.
    """
    if not _SHA256_RE.fullmatch(sha256):
        raise AudioError(f"{path.name}: {sha256!r} is not a lowercase hex sha256")
    suffix = path.suffix.lower() if _SAFE_SUFFIX_RE.fullmatch(path.suffix.lower()) else ""
    folder = audio_dir / sha256[:2]
    existing = sorted(folder.glob(f"{sha256}*")) if folder.is_dir() else []
    existing = [p for p in existing if p.is_file() and p.name.split(".", 1)[0] == sha256]
    if existing:
        return existing[0]
    target = stored_path(audio_dir=audio_dir, sha256=sha256, suffix=suffix)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy_verified(path, target=target, sha256=sha256)
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot store a copy in {audio_dir} ({exc.strerror or exc})") from None
    return target


def _copy_verified(source: Path, *, target: Path, sha256: str) -> None:
    """Copy via a temporary file in the target folder and ``os.replace``; check the hash on the way."""
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK_BYTES):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha256:
            raise AudioError(f"{source.name}: the file changed while being stored (sha256 {digest.hexdigest()})")
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise

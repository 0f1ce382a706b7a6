"""Audio input: every format decodes to separate 16 kHz channels; bad files raise one-line AudioErrors."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import numpy as np
import pytest

from coaching.audio.decode import (
    SILENCE_RMS_DBFS,
    AudioInfo,
    check_not_silent,
    decode_audio,
    probe_audio,
    sha256_file,
    store_original,
)
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
from tests.audio_factory import (
    FORMATS,
    LEFT_HZ,
    RIGHT_HZ,
    TONE_AMPLITUDE,
    flac_with_declared_samples,
    header_only_wav,
    make_audio_file,
    random_bytes_file,
    tone_signal,
    truncated_copy,
    write_wav,
)


class Limits(TypedDict):
    max_file_bytes: int
    max_duration_s: float


LIMITS: Limits = {"max_file_bytes": 50 * 1024 * 1024, "max_duration_s": 600.0}
DURATION_S = 2.5
LONG_DURATION_S = 3.0
RATE_HZ = 16_000


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Path]:
    """Every format, mono and stereo, 2.5 s: ffmpeg runs once per file for the module."""
    folder = tmp_path_factory.mktemp("encoded")
    return {
        (fmt, channels): make_audio_file(folder, fmt=fmt, channels=channels, duration_s=DURATION_S)
        for fmt in FORMATS
        for channels in (1, 2)
    }


@pytest.fixture(scope="module")
def long_stereo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """3 s stereo mp3, flac, wav and Ogg/Opus, the sources for truncation."""
    folder = tmp_path_factory.mktemp("long")
    return {
        fmt: make_audio_file(folder, fmt=fmt, duration_s=LONG_DURATION_S)
        for fmt in ("mp3", "flac", "wav_pcm16", "ogg_opus")
    }


def _spectrum(signal: np.ndarray) -> np.ndarray:
    return np.abs(np.fft.rfft(signal * np.hanning(signal.size)))


def _dominant_hz(signal: np.ndarray) -> float:
    return float(np.argmax(_spectrum(signal))) * RATE_HZ / signal.size


def _magnitude_at(signal: np.ndarray, hz: float) -> float:
    spectrum = _spectrum(signal)
    centre = round(hz * signal.size / RATE_HZ)
    return float(spectrum[centre - 3 : centre + 4].max())


def _assert_one_line_naming(error: BaseException, path: Path) -> None:
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path.name}: ")
    assert str(path.parent) not in message


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_decodes_to_16k_float32_with_channels_kept_apart(
    encoded: dict[tuple[str, int], Path], fmt: str, channels: int
) -> None:
    audio = decode_audio(encoded[fmt, channels], **LIMITS)

    assert audio.samples.dtype == np.float32
    assert audio.samples.shape[0] == channels
    assert audio.sample_rate_hz == RATE_HZ
    assert abs(audio.duration_s - DURATION_S) <= 0.05
    assert audio.warnings == ()
    left = audio.channel(0)
    assert abs(_dominant_hz(left) - LEFT_HZ) < 2.0
    assert np.sqrt(np.mean(left**2)) == pytest.approx(TONE_AMPLITUDE / np.sqrt(2), rel=0.1)
    if channels == 2:
        right = audio.channel(1)
        assert abs(_dominant_hz(right) - RIGHT_HZ) < 2.0
        # Not swapped and not mixed: each tone is at least 40 dB weaker on the other channel.
        assert _magnitude_at(left, RIGHT_HZ) < 0.01 * _magnitude_at(right, RIGHT_HZ)
        assert _magnitude_at(right, LEFT_HZ) < 0.01 * _magnitude_at(left, LEFT_HZ)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("wav_pcm16", ("wav", "pcm_s16le", 44_100)),
        ("wav_mulaw_8k", ("wav", "pcm_mulaw", 8_000)),
        ("wav_alaw_8k", ("wav", "pcm_alaw", 8_000)),
        ("m4a_aac", ("m4a", "aac", 44_100)),
        ("ogg_opus", ("ogg", "opus", 48_000)),
    ],
)
def test_probe_reports_what_the_container_says(
    encoded: dict[tuple[str, int], Path], fmt: str, expected: tuple[str, str, int]
) -> None:
    path = encoded[fmt, 2]
    info = probe_audio(path, **LIMITS)
    format_name, codec_name, rate_hz = expected
    assert info == AudioInfo(
        format_name=format_name,
        codec_name=codec_name,
        channels=2,
        sample_rate_hz=rate_hz,
        duration_s=info.duration_s,
        size_bytes=path.stat().st_size,
    )
    assert info.duration_s == pytest.approx(DURATION_S, abs=0.05)


def test_an_mp3_named_wav_decodes_by_content(encoded: dict[tuple[str, int], Path], tmp_path: Path) -> None:
    mislabelled = shutil.copy(encoded["mp3", 2], tmp_path / "call.wav")
    audio = decode_audio(Path(mislabelled), **LIMITS)
    assert audio.source_format == "mp3/mp3"
    assert abs(_dominant_hz(audio.channel(0)) - LEFT_HZ) < 2.0
    assert abs(_dominant_hz(audio.channel(1)) - RIGHT_HZ) < 2.0


def _text_file(path: Path) -> Path:
    path.write_text("Hello, this is a meeting note and not audio at all.\n" * 20)
    return path


def _three_channels(path: Path) -> Path:
    return write_wav(path, np.zeros((1600, 3), dtype=np.float32), sample_rate_hz=16_000)


@pytest.mark.parametrize(
    ("make", "error_class", "reason"),
    [
        (lambda d: (d / "empty.wav").touch() or d / "empty.wav", EmptyAudioError, "file is empty (0 bytes)"),
        (lambda d: random_bytes_file(d / "noise.wav"), NotAudioError, "not an audio file"),
        (lambda d: _text_file(d / "notes.mp3"), NotAudioError, "not an audio file"),
        (lambda d: header_only_wav(d / "header.wav"), EmptyAudioError, "no audio samples (header only)"),
        (lambda d: _three_channels(d / "three.wav"), TooManyChannelsError, "3 channels; at most 2"),
        (lambda d: d / "missing.wav", AudioError, "file not found"),
        (lambda d: (d / "folder.wav").mkdir() or d / "folder.wav", AudioError, "not a regular file"),
    ],
    ids=["empty", "random-bytes", "text-named-mp3", "header-only", "three-channels", "missing", "directory"],
)
def test_bad_input_raises_a_specific_one_line_error(
    tmp_path: Path, make: Callable[[Path], Path], error_class: type[AudioError], reason: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(error_class) as probed:
        probe_audio(path, **LIMITS)
    with pytest.raises(error_class) as decoded:
        decode_audio(path, **LIMITS)
    for error in (probed.value, decoded.value):
        _assert_one_line_naming(error, path)
        assert reason in str(error)


# Ogg/Opus pages from ffmpeg hold about 1 s each and a cut page is lost, so keep more of it.
@pytest.mark.parametrize(
    ("fmt", "keep_fraction"), [("mp3", 0.5), ("flac", 0.5), ("wav_pcm16", 0.5), ("ogg_opus", 0.75)]
)
def test_a_cut_file_is_analysed_with_a_warning(
    long_stereo: dict[str, Path], tmp_path: Path, fmt: str, keep_fraction: float
) -> None:
    source = long_stereo[fmt]
    cut = truncated_copy(source, tmp_path / f"cut{source.suffix}", keep_fraction=keep_fraction)

    audio = decode_audio(cut, **LIMITS)

    assert 1.0 <= audio.duration_s <= (keep_fraction + 0.1) * LONG_DURATION_S
    assert len(audio.warnings) == 1
    match = re.fullmatch(r"file is truncated: analysed the first (\d+\.\d) s", audio.warnings[0])
    assert match is not None
    assert float(match.group(1)) == pytest.approx(audio.duration_s, abs=0.05)
    assert abs(_dominant_hz(audio.channel(0)) - LEFT_HZ) < 2.0


@pytest.mark.parametrize("fmt", ["mp3", "flac", "wav_pcm16"])
def test_a_file_cut_to_a_few_hundred_bytes_is_rejected(long_stereo: dict[str, Path], tmp_path: Path, fmt: str) -> None:
    source = long_stereo[fmt]
    cut = truncated_copy(source, tmp_path / f"stub{source.suffix}", keep_bytes=300)
    with pytest.raises((TruncatedAudioError, EmptyAudioError)) as raised:
        decode_audio(cut, **LIMITS)
    _assert_one_line_naming(raised.value, cut)


def test_a_wav_keeping_under_one_second_of_its_declared_length_is_rejected(
    long_stereo: dict[str, Path], tmp_path: Path
) -> None:
    # 44-byte header, then 0.5 s of 16-bit stereo at 44.1 kHz; the header still declares 3 s.
    cut = truncated_copy(long_stereo["wav_pcm16"], tmp_path / "short.wav", keep_bytes=44 + 22_050 * 4)
    with pytest.raises(TruncatedAudioError, match=r"only 0\.50 s could be decoded"):
        decode_audio(cut, **LIMITS)


def test_out_of_range_and_nan_float_samples_come_out_finite_and_clipped(tmp_path: Path) -> None:
    samples = 4.0 * tone_signal(duration_s=1.0)  # peaks at 1.2
    samples[1000:1010, 0] = np.nan
    path = write_wav(tmp_path / "hot.wav", samples, subtype="FLOAT")
    audio = decode_audio(path, **LIMITS)
    assert np.isfinite(audio.samples).all()
    assert float(np.abs(audio.samples).max()) == 1.0
    assert abs(_dominant_hz(audio.channel(1)) - RIGHT_HZ) < 2.0


def test_a_complete_short_file_is_not_taken_for_truncated(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "short.wav", tone_signal(duration_s=0.5))
    audio = decode_audio(path, **LIMITS)
    assert audio.warnings == ()
    assert audio.duration_s == pytest.approx(0.5, abs=0.01)


def test_the_size_limit_is_checked_before_opening(tmp_path: Path) -> None:
    path = random_bytes_file(tmp_path / "big.wav", n_bytes=4096)
    with pytest.raises(AudioTooLargeError) as raised:
        probe_audio(path, max_file_bytes=2048, max_duration_s=600.0)
    assert str(raised.value) == "big.wav: file is 4.0 KB, over the 2 KB limit (COACHING_MAX_FILE_MB)"


def test_the_duration_limit_uses_the_container_duration(encoded: dict[tuple[str, int], Path]) -> None:
    path = encoded["wav_pcm16", 2]
    for call in (probe_audio, decode_audio):
        with pytest.raises(AudioTooLongError) as raised:
            call(path, max_file_bytes=LIMITS["max_file_bytes"], max_duration_s=1.0)
        assert str(raised.value) == f"{path.name}: 2.5 s long, over the 1 s limit (COACHING_MAX_DURATION_MIN)"


def test_a_declared_duration_in_minutes_is_reported_in_minutes(long_stereo: dict[str, Path], tmp_path: Path) -> None:
    # STREAMINFO claims 150 minutes at 44.1 kHz.
    path = flac_with_declared_samples(long_stereo["flac"], tmp_path / "call.flac", declared_samples=150 * 60 * 44_100)
    with pytest.raises(AudioTooLongError) as raised:
        probe_audio(path, max_file_bytes=LIMITS["max_file_bytes"], max_duration_s=120 * 60.0)
    assert str(raised.value) == "call.flac: 150.0 min long, over the 120 min limit (COACHING_MAX_DURATION_MIN)"


def test_a_file_understating_its_duration_is_stopped_while_decoding(
    long_stereo: dict[str, Path], tmp_path: Path
) -> None:
    path = flac_with_declared_samples(long_stereo["flac"], tmp_path / "liar.flac", declared_samples=22_050)
    assert probe_audio(path, max_file_bytes=LIMITS["max_file_bytes"], max_duration_s=2.0).duration_s == 0.5
    with pytest.raises(AudioTooLongError, match=r"^liar\.flac: longer than the 2 s limit .*decoding stopped"):
        decode_audio(path, max_file_bytes=LIMITS["max_file_bytes"], max_duration_s=2.0)
    whole = decode_audio(path, **LIMITS)
    assert whole.duration_s == pytest.approx(LONG_DURATION_S, abs=0.05)


def _decoded(samples: np.ndarray) -> DecodedAudio:
    return DecodedAudio(samples=samples.astype(np.float32), sample_rate_hz=RATE_HZ, sha256="0" * 64, source_format="x")


def _tone_at_dbfs(level_dbfs: float) -> np.ndarray:
    """One second of 100 Hz (whole periods) whose RMS is exactly ``level_dbfs``."""
    t = np.arange(RATE_HZ) / RATE_HZ
    return np.sqrt(2) * 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * 100 * t)


def test_digital_silence_is_rejected() -> None:
    with pytest.raises(SilentAudioError, match=r"^call\.wav: the audio is digital silence"):
        check_not_silent(_decoded(np.zeros((2, RATE_HZ))), filename="call.wav")


def test_audio_below_the_silence_level_is_rejected_and_above_it_accepted() -> None:
    assert SILENCE_RMS_DBFS == -60.0
    quiet = np.stack([_tone_at_dbfs(-70.0), _tone_at_dbfs(-75.0)])
    with pytest.raises(SilentAudioError, match=r"^call\.wav: the audio is silent \(loudest channel -70\.0 dBFS"):
        check_not_silent(_decoded(quiet), filename="call.wav")
    check_not_silent(_decoded(_tone_at_dbfs(-50.0)[None, :]), filename="call.wav")
    one_side_speaks = np.stack([np.zeros(RATE_HZ), _tone_at_dbfs(-30.0)])
    check_not_silent(_decoded(one_side_speaks), filename="call.wav")


def test_a_silent_file_decodes_then_fails_the_silence_check(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "silent.wav", np.zeros((32_000, 2), dtype=np.float32))
    with pytest.raises(SilentAudioError) as raised:
        check_not_silent(decode_audio(path, **LIMITS), filename=path.name)
    _assert_one_line_naming(raised.value, path)


def test_sha256_matches_hashlib_and_the_decoded_audio(encoded: dict[tuple[str, int], Path]) -> None:
    path = encoded["flac", 2]
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha256_file(path) == expected
    assert decode_audio(path, **LIMITS).sha256 == expected


def test_store_original_is_content_addressed_and_idempotent(
    encoded: dict[tuple[str, int], Path], tmp_path: Path
) -> None:
    source = encoded["mp3", 2]
    sha = sha256_file(source)
    audio_dir = tmp_path / "audio"

    stored = store_original(source, audio_dir=audio_dir, sha256=sha)
    assert stored == audio_dir / sha[:2] / f"{sha}.mp3"
    assert stored.read_bytes() == source.read_bytes()
    first_write_ns = stored.stat().st_mtime_ns

    assert store_original(source, audio_dir=audio_dir, sha256=sha) == stored
    renamed = Path(shutil.copy(source, tmp_path / "same-content.wav"))
    assert store_original(renamed, audio_dir=audio_dir, sha256=sha256_file(renamed)) == stored
    assert stored.stat().st_mtime_ns == first_write_ns
    assert [p.name for p in audio_dir.rglob("*")] == [sha[:2], stored.name]

    other = encoded["flac", 2]
    other_sha = sha256_file(other)
    assert (
        store_original(other, audio_dir=audio_dir, sha256=other_sha) == audio_dir / other_sha[:2] / f"{other_sha}.flac"
    )


def test_store_original_refuses_a_hash_that_does_not_match(
    encoded: dict[tuple[str, int], Path], tmp_path: Path
) -> None:
    source = encoded["wav_pcm16", 1]
    audio_dir = tmp_path / "audio"
    with pytest.raises(AudioError, match="not a lowercase hex sha256"):
        store_original(source, audio_dir=audio_dir, sha256="abc")
    wrong = "ab" * 32
    with pytest.raises(AudioError, match=r"changed while being stored"):
        store_original(source, audio_dir=audio_dir, sha256=wrong)
    assert list((audio_dir / "ab").iterdir()) == []

"""One settings object, built from the environment at the edge."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from coaching.errors import SettingsError

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")  # the one list of languages the app handles
CHANNEL_MODES = ("left", "right", "mono")
VOCABULARY_MODES = ("auto", "none", "prompt", "hotwords")


@dataclass(frozen=True)
class OutcomeSettings:
    """NPS and first-contact resolution: ``COACHING_NPS_MIN_N`` (periods with fewer answers are
    marked unreliable; default 30) and ``COACHING_FCR_WINDOW_DAYS`` (a repeat contact within this
    many days means not resolved at first contact; default 7)."""

    min_n: int = 30
    fcr_window_days: int = 7

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OutcomeSettings:
        env = os.environ if environ is None else environ
        return cls(
            min_n=_positive_int(env, "COACHING_NPS_MIN_N", 30),
            fcr_window_days=_positive_int(env, "COACHING_FCR_WINDOW_DAYS", 7),
        )


@dataclass(frozen=True)
class RetentionSettings:
    """How long data is kept, in days (None = keep forever), before ``retention run`` deletes it:
    ``COACHING_RETAIN_AUDIO_DAYS`` (the recording; the transcript stays), ``COACHING_RETAIN_TRANSCRIPT_DAYS``
    (the whole call: transcript, analyses, comments, reviews, corrections and audio) and
    ``COACHING_RETAIN_SURVEY_DAYS`` (survey answers). Unset or ``forever`` keeps forever. Admins can
    change them in the app; the saved values then win."""

    audio_days: int | None = None
    transcript_days: int | None = None
    survey_days: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionSettings:
        env = os.environ if environ is None else environ
        kept: dict[str, int | None] = {}
        for field, name in (
            ("audio_days", "COACHING_RETAIN_AUDIO_DAYS"),
            ("transcript_days", "COACHING_RETAIN_TRANSCRIPT_DAYS"),
            ("survey_days", "COACHING_RETAIN_SURVEY_DAYS"),
        ):
            forever = env.get(name, "").strip().lower() in ("", "forever")
            kept[field] = None if forever else _positive_int(env, name, 1)
        return cls(**kept)


@dataclass(frozen=True)
class RedactionSettings:
    """Redaction (:mod:`coaching.redaction`): ``COACHING_REDACTION`` (on|off, default on; off only for tests
    and labs, never with real calls), ``COACHING_REDACTION_NAMES`` (a file of names to redact, one per line)
    and ``COACHING_KEEP_ORIGINAL_AUDIO`` (1 keeps an unredacted copy of each recording for admins; default 0)."""

    enabled: bool = True
    names_path: Path | None = None
    keep_original_audio: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RedactionSettings:
        env = os.environ if environ is None else environ
        names = env.get("COACHING_REDACTION_NAMES", "").strip()
        return cls(
            enabled=_switch(env, "COACHING_REDACTION", True),
            names_path=Path(names) if names else None,
            keep_original_audio=_switch(env, "COACHING_KEEP_ORIGINAL_AUDIO", False),
        )


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise SettingsError(f"{name}={raw!r} must be on or off (1 or 0)")


@dataclass(frozen=True)
class Settings:
    """Runtime settings.

    Environment variables (all optional):
    ``COACHING_DATA_DIR`` (default ``./data``), ``COACHING_DB_URL`` (default a SQLite
    file in the data dir), ``COACHING_WHISPER_MODEL`` (a model name or directory;
    default the packaged multilingual base), ``COACHING_AGENT_CHANNEL``
    (left|right|mono, default left), ``COACHING_LANGUAGES`` (default fi,sv,en),
    ``COACHING_MAX_FILE_MB`` (default 200), ``COACHING_MAX_DURATION_MIN``
    (default 120), ``COACHING_DEVICE`` (auto|cpu|cuda, default auto),
    ``COACHING_ASR_VOCABULARY`` (auto|none|prompt|hotwords: how the domain vocabulary is given to
    Whisper; default auto = what measured best per language, see ``coaching.asr.transcriber.AUTO_VOCABULARY``).
    """

    data_dir: Path
    db_url: str
    whisper_model: str | None
    agent_channel: str
    languages: tuple[str, ...]
    max_file_bytes: int
    max_duration_s: float
    device: str
    asr_vocabulary: str = "auto"
    outcomes: OutcomeSettings = OutcomeSettings()
    redaction: RedactionSettings = RedactionSettings()
    retention: RetentionSettings = RetentionSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings; raise :class:`SettingsError` naming the setting."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("COACHING_DATA_DIR", "").strip() or "data")
        db_url = env.get("COACHING_DB_URL", "").strip() or f"sqlite:///{data_dir / 'coaching.db'}"
        if "://" not in db_url:
            raise SettingsError(f"COACHING_DB_URL={db_url!r} is not a database URL (e.g. sqlite:///data/coaching.db)")
        model = env.get("COACHING_WHISPER_MODEL", "").strip() or None
        channel = env.get("COACHING_AGENT_CHANNEL", "").strip().lower() or "left"
        if channel not in CHANNEL_MODES:
            raise SettingsError(f"COACHING_AGENT_CHANNEL={channel!r} must be one of left, right, mono")
        languages = parse_languages(
            env.get("COACHING_LANGUAGES", "") or ",".join(SUPPORTED_LANGUAGES), setting="COACHING_LANGUAGES"
        )
        max_mb = _positive_number(env, "COACHING_MAX_FILE_MB", 200.0)
        max_min = _positive_number(env, "COACHING_MAX_DURATION_MIN", 120.0)
        device = env.get("COACHING_DEVICE", "").strip().lower() or "auto"
        if device not in ("auto", "cpu", "cuda"):
            raise SettingsError(f"COACHING_DEVICE={device!r} must be one of auto, cpu, cuda")
        vocabulary = env.get("COACHING_ASR_VOCABULARY", "").strip().lower() or "auto"
        if vocabulary not in VOCABULARY_MODES:
            raise SettingsError(f"COACHING_ASR_VOCABULARY={vocabulary!r} must be one of {', '.join(VOCABULARY_MODES)}")
        return cls(
            outcomes=OutcomeSettings.from_env(env),
            redaction=RedactionSettings.from_env(env),
            retention=RetentionSettings.from_env(env),
            asr_vocabulary=vocabulary,
            data_dir=data_dir,
            db_url=db_url,
            whisper_model=model,
            agent_channel=channel,
            languages=languages,
            max_file_bytes=int(max_mb * 1024 * 1024),
            max_duration_s=max_min * 60.0,
            device=device,
        )

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def original_audio_dir(self) -> Path:
        """Unredacted copies of recordings, only with ``COACHING_KEEP_ORIGINAL_AUDIO=1``."""
        return self.data_dir / "originals"


def parse_languages(value: str, *, setting: str) -> tuple[str, ...]:
    """Parse ``"fi,sv,en"`` into a tuple; raise :class:`SettingsError` on an unknown code."""
    codes = tuple(dict.fromkeys(code.strip().lower() for code in value.split(",") if code.strip()))
    if not codes:
        raise SettingsError(f"{setting}={value!r} names no language (use e.g. fi,sv,en)")
    unknown = [c for c in codes if c not in SUPPORTED_LANGUAGES]
    if unknown:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise SettingsError(f"{setting}={value!r}: unsupported language {unknown[0]!r} (supported: {supported})")
    return codes


def _positive_number(env: Mapping[str, str], name: str, default: float) -> float:
    return _positive(env, name, default, whole=False)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_positive(env, name, default, whole=True))


def _positive(env: Mapping[str, str], name: str, default: float, *, whole: bool) -> float:
    """The variable's value as a number > 0 (a whole number when ``whole``), or ``default`` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(int(raw)) if whole else float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a {'whole ' if whole else ''}number") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name}={raw!r} is not a finite number")
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} must be {'at least 1' if whole else 'greater than 0'}")
    return value

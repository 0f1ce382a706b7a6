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

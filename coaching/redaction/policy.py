"""The redaction policy from the settings: on or off, and the names of the deny-list file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from coaching.errors import SettingsError
from coaching.redaction.kinds import RedactionPolicy
from coaching.redaction.spoken import clean_word
from coaching.settings import RedactionSettings


def parse_names(text: str) -> frozenset[tuple[str, ...]]:
    """Names of a deny-list: one per line (a first name, a surname or both); blank lines and ``#`` comments
    are skipped; matching ignores case."""
    names: set[tuple[str, ...]] = set()
    for line in text.splitlines():
        words = tuple(w for w in (clean_word(part).lower() for part in line.split("#", 1)[0].split()) if w)
        if words:
            names.add(words)
    return frozenset(names)


@lru_cache(maxsize=8)
def _names_file(path: Path, mtime_ns: int) -> frozenset[tuple[str, ...]]:
    return parse_names(path.read_text(encoding="utf-8"))


def load_names(path: Path) -> frozenset[tuple[str, ...]]:
    """The deny-list at ``path`` (read again when the file changes); :class:`SettingsError` when unreadable."""
    try:
        return _names_file(path, path.stat().st_mtime_ns)
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"COACHING_REDACTION_NAMES={str(path)!r}: cannot read the deny-list ({error})") from None


def redaction_policy(settings: RedactionSettings) -> RedactionPolicy:
    """The policy of ``settings`` (``Settings.redaction``)."""
    names = load_names(settings.names_path) if settings.enabled and settings.names_path else frozenset()
    return RedactionPolicy(enabled=settings.enabled, names=names)


def environment_policy() -> RedactionPolicy:
    """The policy of the process environment, for services that get no :class:`~coaching.settings.Settings`
    (comments)."""
    return redaction_policy(RedactionSettings.from_env())

"""simplemma lemmas without loading a whole language dictionary into each process.

simplemma decodes a language's full dictionary into memory on first use: about 3.5 million entries and several
CPU seconds for Finnish, in every CLI process. Here the decoded dictionary is written once per machine into an
SQLite file in a cache folder (``$XDG_CACHE_HOME/coaching``, else ``~/.cache/coaching``; it holds only simplemma's
public word lists), and each lookup reads one row. The lemmas are simplemma's own (same strategy, same data); when
the cache folder cannot be written, simplemma's in-memory dictionary is used as before.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where the per-language lemma files live."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "coaching"


def _db_path(language: str) -> Path:
    return cache_dir() / f"simplemma-{version('simplemma')}-{language}.sqlite"


def _build(language: str, path: Path) -> None:
    """Decode simplemma's dictionary for ``language`` once and write it to ``path`` (atomically)."""
    from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk

    entries = _load_dictionary_from_disk(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        with sqlite3.connect(staging) as db:
            db.execute("CREATE TABLE lemma (word BLOB PRIMARY KEY, lemma BLOB NOT NULL) WITHOUT ROWID")
            db.executemany("INSERT INTO lemma VALUES (?, ?)", entries.items())
        os.chmod(staging, 0o644)  # public word lists: every account on the machine may share the file
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)


def _sqlite_mapping(language: str) -> Mapping[str, str]:
    from simplemma.strategies.dictionaries.dictionary_factory import DecodedStrMapping

    class SqliteMapping(DecodedStrMapping):
        """simplemma's str -> str dictionary view, read row by row from the SQLite file."""

        __slots__ = ("_db", "_lock")

        def __init__(self, path: Path) -> None:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._lock = threading.Lock()
            self._db.execute("SELECT 1 FROM lemma LIMIT 1").fetchall()  # an unreadable file fails here, not later

        def _lookup(self, key: str) -> str | None:
            with self._lock:
                row = self._db.execute("SELECT lemma FROM lemma WHERE word = ?", (key.encode(),)).fetchone()
            return bytes(row[0]).decode() if row is not None else None

        def __iter__(self) -> Iterator[str]:
            with self._lock:
                rows = self._db.execute("SELECT word FROM lemma").fetchall()
            return (bytes(word).decode() for (word,) in rows)

        def __len__(self) -> int:
            with self._lock:
                return int(self._db.execute("SELECT count(*) FROM lemma").fetchone()[0])

    path = _db_path(language)
    if not path.is_file():
        _build(language, path)
    return SqliteMapping(path)


@lru_cache(maxsize=1)
def lemmatizer() -> Any:
    """A simplemma Lemmatizer reading the SQLite dictionaries (simplemma's own when they cannot be written)."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.dictionary_factory import CachingDictionaryFactory, DefaultDictionaryFactory

    class SqliteDictionaryFactory(CachingDictionaryFactory):
        def __init__(self) -> None:
            super().__init__()
            self._fallback = DefaultDictionaryFactory()

        def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
            try:
                return _sqlite_mapping(lang)
            except (OSError, sqlite3.Error) as error:
                _log.info("lemma cache unavailable for %s (%s); loading simplemma's dictionary", lang, error)
                return self._fallback.get_dictionary(lang)

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=SqliteDictionaryFactory()))

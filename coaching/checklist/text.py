"""Tokens, lemmas and ASR-tolerant comparison of single words.

Lemmas come from simplemma (loaded lazily per language). Fuzzy comparison works on a
"folded" spelling (lower case, ä→a, ö→o, å→o, doubled letters collapsed) so that the
typical Whisper errors on Finnish (lost or doubled consonants, ä/a swaps) cost little.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_FOLD_TABLE = str.maketrans({"ä": "a", "ö": "o", "å": "o", "é": "e", "ü": "u", "’": "", "'": "", "-": ""})
_DOUBLE_RE = re.compile(r"(.)\1+")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (punctuation dropped, inner hyphens kept)."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFC", text).lower())


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """ASR-tolerant spelling: diacritics of ä/ö/å removed, doubled letters collapsed."""
    return _DOUBLE_RE.sub(r"\1", token.lower().translate(_FOLD_TABLE))


@lru_cache(maxsize=131072)
def lemma(token: str, language: str) -> str:
    """Dictionary form of ``token`` in ``language`` (the token itself when unknown)."""
    from coaching.checklist.lemmas import lemmatizer  # simplemma's lemmas, read from a per-machine SQLite cache

    try:
        return str(lemmatizer().lemmatize(token, language)).lower()
    except ValueError:
        return token


_WORD_EDIT_LIMITS = (4, 7, 11)  # up to 4 characters: no edit; up to 7: one; up to 11: two; longer: three
_STEM_EDIT_LIMITS = (4, 9, 14)


def _edit_budget(length: int, limits: tuple[int, ...]) -> int:
    """How many of ``limits`` (ascending lengths) ``length`` exceeds."""
    return bisect_left(limits, length)


def max_edits(length: int) -> int:
    """Edit budget for a folded pattern of ``length`` characters."""
    return _edit_budget(length, _WORD_EDIT_LIMITS)


def max_stem_edits(length: int) -> int:
    """Edit budget for a folded stem: stricter, since compounds differ only in their last part."""
    return _edit_budget(length, _STEM_EDIT_LIMITS)


def word_similarity(*, token: str, pattern: str, language: str) -> float:
    """Similarity 0–1 of an utterance token to a whole-word pattern; 0 when outside the budget."""
    if token == pattern or lemma(token, language) == lemma(pattern, language):
        return 1.0
    return _fuzzy(fold(token), fold(pattern))


def surface_similarity(*, token: str, pattern: str) -> float:
    """Spelling only (no lemmas), at most one edit: keeps minimal pairs apart (skickar/skickade)."""
    if token == pattern:
        return 1.0
    return _fuzzy(fold(token), fold(pattern), budget=min(1, max_edits(len(fold(pattern)))))


def stem_similarity(*, token: str, stem: str) -> float:
    """Similarity 0–1 of ``token`` starting with ``stem`` (fuzzy on its first characters)."""
    if token.startswith(stem):
        return 1.0
    folded, folded_stem = fold(token), fold(stem)
    if folded.startswith(folded_stem):
        return 0.95
    budget = max_stem_edits(len(folded_stem))
    if budget == 0 or len(folded) < len(folded_stem) - budget:
        return 0.0
    best = 0.0
    for cut in range(len(folded_stem) - 1, len(folded_stem) + budget + 1):  # at most one letter lost
        distance = Levenshtein.distance(folded[:cut], folded_stem, score_cutoff=budget)
        if distance <= budget:
            best = max(best, 1.0 - distance / (len(folded_stem) + 1))
    return best


def _fuzzy(folded: str, folded_pattern: str, *, budget: int | None = None) -> float:
    if folded == folded_pattern:
        return 0.95
    budget = max_edits(len(folded_pattern)) if budget is None else budget
    if budget == 0 or abs(len(folded) - len(folded_pattern)) > budget:
        return 0.0
    distance = Levenshtein.distance(folded, folded_pattern, score_cutoff=budget)
    if distance > budget:
        return 0.0
    return 1.0 - distance / (max(len(folded), len(folded_pattern)) + 1)

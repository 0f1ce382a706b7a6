"""Phrase patterns matched on lemmas and fuzzily on characters.

Pattern syntax (one phrase per string, tokens separated by spaces):

- ``word``   matches the same lemma, or a spelling within the ASR edit budget;
- ``stem*``  matches any token starting with ``stem`` (fuzzy on the stem);
- ``=word``  matches the spelling only (no lemma), e.g. question forms;
- ``==word`` matches exactly that token (short fillers such as "tota");
- ``a|b``    either alternative (a leading ``=`` or ``==`` applies to all of them);
- ``*``      alone: up to ``WIDE_GAP_TOKENS`` other tokens may stand here.

Otherwise up to ``MAX_GAP_TOKENS`` other tokens may stand between two pattern tokens, and one
pattern token may match two utterance tokens written apart (ASR splits compounds). In a phrase
of three or more tokens, one token after the first may be replaced by a garbled word with the
same first letter (ASR homophones: "sorry to here").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from coaching.checklist.text import fold, stem_similarity, surface_similarity, tokenize, word_similarity
from coaching.errors import ChecklistError

MAX_GAP_TOKENS = 2
WIDE_GAP_TOKENS = 6
EXCLUDE_SLACK_TOKENS = 2  # an exclusion this close to a match cancels it ("in parts ... not possible")
_SUBSTITUTION_SIM = 0.5  # one garbled word inside a phrase of 3+ words (same first letter)
_MIN_JOIN_CHARS = 6
_MIN_JOIN_SIM = 0.9  # a compound split in two must otherwise match (nearly) exactly


class _Alt(NamedTuple):  # a tuple, hashed in C: the similarity cache keys on tuples of these
    kind: str  # "word" | "stem" | "surface" | "exact"
    text: str


@dataclass(frozen=True)
class Pattern:
    """A compiled phrase pattern."""

    source: str
    tokens: tuple[tuple[_Alt, ...], ...]
    gaps: tuple[int, ...]  # the most tokens allowed before each pattern token (first: unused)


@dataclass(frozen=True)
class PhraseMatch:
    """Where a pattern matched: token indices ``first``..``last`` (inclusive)."""

    pattern: str
    first: int
    last: int
    similarity: float


@lru_cache(maxsize=8192)
def compile_pattern(source: str, *, gap_tokens: int = MAX_GAP_TOKENS) -> Pattern:
    """Compile one phrase (``gap_tokens`` between tokens unless ``*``); ChecklistError when malformed."""
    tokens: list[tuple[_Alt, ...]] = []
    gaps: list[int] = []
    gap = gap_tokens
    for raw in source.lower().split():
        if raw == "*":
            if not tokens:
                raise ChecklistError(f"phrase {source!r} cannot start with '*'")
            gap = WIDE_GAP_TOKENS
            continue
        alts: list[_Alt] = []
        prefix = "==" if raw.startswith("==") else "=" if raw.startswith("=") else ""
        for part in raw[len(prefix) :].split("|"):
            part = part if part.startswith("=") else prefix + part
            if part.startswith("=="):
                kind, text = "exact", part[2:]
            elif part.startswith("="):
                kind, text = "surface", part[1:]
            elif part.endswith("*"):
                kind, text = "stem", part[:-1]
            else:
                kind, text = "word", part
            words = tokenize(text)
            if len(words) != 1 or not text:
                raise ChecklistError(f"bad phrase token {raw!r} in phrase {source!r}")
            alts.append(_Alt(kind=kind, text=words[0]))
        tokens.append(tuple(alts))
        gaps.append(gap)
        gap = gap_tokens
    if not tokens or gap != gap_tokens:
        raise ChecklistError(f"empty phrase or trailing '*' in {source!r}")
    return Pattern(source=source, tokens=tuple(tokens), gaps=tuple(gaps))


def _alt_similarity(alt: _Alt, token: str, language: str) -> float:
    if alt.kind == "stem":
        return stem_similarity(token=token, stem=alt.text)
    if alt.kind == "exact":
        return 1.0 if token == alt.text else 0.0
    if alt.kind == "surface":
        return surface_similarity(token=token, pattern=alt.text)
    return word_similarity(token=token, pattern=alt.text, language=language)


@lru_cache(maxsize=262144)
def _token_similarity(alts: tuple[_Alt, ...], token: str, language: str) -> float:
    return max(_alt_similarity(alt, token, language) for alt in alts)


def _spans_at(alts: tuple[_Alt, ...], tokens: list[str], start: int, language: str) -> list[tuple[int, float]]:
    """(last index, similarity) of the ways pattern token ``alts`` matches at ``start``."""
    found: list[tuple[int, float]] = []
    sim = _token_similarity(alts, tokens[start], language)
    if sim > 0:
        found.append((start, sim))
    if start + 1 < len(tokens):
        joined = tokens[start] + tokens[start + 1]
        if len(fold(joined)) >= _MIN_JOIN_CHARS and len(tokens[start]) >= 3:
            sim2 = _token_similarity(alts, joined, language)
            if sim2 >= _MIN_JOIN_SIM:
                found.append((start + 1, sim2 * 0.95))
    return found


def _garbled(alts: tuple[_Alt, ...], token: str) -> bool:
    folded = fold(token)
    return any(
        folded[:1] == fold(alt.text)[:1] and abs(len(folded) - len(fold(alt.text))) <= 2 and alt.kind != "exact"
        for alt in alts
    )


def match_pattern(
    pattern: Pattern, tokens: list[str], language: str, *, begin: int = 0, leftmost: bool = False
) -> PhraseMatch | None:
    """Best match of ``pattern`` starting at or after token ``begin`` (highest similarity, then earliest).

    With ``leftmost`` the best match at the first start position that matches at all.
    """
    best: PhraseMatch | None = None
    n_pat = len(pattern.tokens)

    def extend(j: int, pos: int, first: int, sims: tuple[float, ...]) -> None:
        nonlocal best
        if j == n_pat:
            score = sum(sims) / n_pat
            if best is None or score > best.similarity + 1e-9:
                best = PhraseMatch(pattern=pattern.source, first=first, last=pos - 1, similarity=score)
            return
        matched = False
        for start in range(pos, min(len(tokens), pos + pattern.gaps[j] + 1)):
            for last, sim in _spans_at(pattern.tokens[j], tokens, start, language):
                matched = True
                extend(j + 1, last + 1, first, (*sims, sim))
        substitute = not matched and n_pat >= 3 and _SUBSTITUTION_SIM not in sims and pos < len(tokens)
        if substitute and _garbled(pattern.tokens[j], tokens[pos]):
            extend(j + 1, pos + 1, first, (*sims, _SUBSTITUTION_SIM))

    for start in range(begin, len(tokens)):
        for last, sim in _spans_at(pattern.tokens[0], tokens, start, language):
            extend(1, last + 1, start, (sim,))
        if leftmost and best is not None:
            break
    return best


def match_all(pattern: Pattern, tokens: list[str], language: str) -> list[PhraseMatch]:
    """Every non-overlapping match of ``pattern``, left to right."""
    found: list[PhraseMatch] = []
    begin = 0
    while begin < len(tokens):
        hit = match_pattern(pattern, tokens, language, begin=begin, leftmost=True)
        if hit is None:
            break
        found.append(hit)
        begin = hit.last + 1
    return found


def find_phrases(
    *, phrases: tuple[str, ...], tokens: list[str], language: str, exclude: tuple[str, ...] = ()
) -> list[PhraseMatch]:
    """Matches of each phrase, dropping those overlapped by an equally good exclusion.

    Exclusion tokens must be adjacent (no gaps) unless the exclusion says ``*``.
    """
    blockers = [m for p in exclude for m in match_all(compile_pattern(p, gap_tokens=0), tokens, language)]
    found: list[PhraseMatch] = []
    for phrase in phrases:
        hit = match_pattern(compile_pattern(phrase), tokens, language)
        if hit is None:
            continue
        slack = EXCLUDE_SLACK_TOKENS
        if any(
            b.first <= hit.last + slack and hit.first <= b.last + slack and b.similarity >= hit.similarity
            for b in blockers
        ):
            continue
        found.append(hit)
    found.sort(key=lambda m: (-m.similarity, m.first))
    return found

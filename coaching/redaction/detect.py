"""Find what to redact in a list of words: identifiers (written, spoken, split into digit groups), e-mail addresses
(written or spoken with "at"/"dot"), and names on the deny-list. Pure: words in, :class:`Match` es out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from coaching.redaction.identifiers import EMAIL, identifier_kind
from coaching.redaction.kinds import DEFAULT_POLICY, PLACEHOLDERS, Kind, Match, RedactionPolicy
from coaching.redaction.spoken import RUN_SYMBOLS, Unit, clean_word, number_runs, symbol_of

MAX_IDENTIFIER_CHARS = 40  # longer normalised windows are no identifier (IBANs have at most 34 characters)
_PRIORITY: dict[Kind, int] = {"email": 0, "iban": 1, "card": 2, "personal_id": 3, "phone": 4, "name": 5}
_GLUED_NUMBER = re.compile(r"\+?\d[\d-]{5,}\d")  # digits inside a longer word: "nro:0401234567"
_GLUED_AT = re.compile(  # "john.smithatgmail.com": the recogniser wrote the spoken "at" into the word
    r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9%+-]*(?:[._][A-Za-z0-9%+-]+)+(?:at|ät)"
    r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?!\w)"
)
_EMAILISH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*")
NAME_SUFFIXES: tuple[str, ...] = ("'s", "s", ":n", ":lle", ":lta", ":lla", "n", "lle", "lta", "lla")
"""Endings a deny-listed name may carry and still match (English and Swedish genitive, Finnish cases)."""

Candidate = tuple[int, int, Match]  # (normalised length, priority, match)


def find_matches(
    words: Sequence[str],
    language: str | None,
    policy: RedactionPolicy = DEFAULT_POLICY,
    *,
    breaks: frozenset[int] = frozenset(),
) -> list[Match]:
    """Non-overlapping matches in ``words``, in word order; the longest normalised match wins an overlap.

    ``language`` picks the number words (None: fi, sv and en together); a run of digits never continues across
    an index in ``breaks``.
    """
    candidates = [
        *_identifiers(words, language, breaks),
        *_spoken_emails(words, language),
        *_inside_words(words),
        *_names(words, policy),
    ]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2].start))
    taken: list[Match] = []
    used: set[int] = set()
    for _, _, match in candidates:
        span = set(range(match.start, match.end))
        if not span & used:
            taken.append(match)
            used |= span
    return sorted(taken, key=lambda m: m.start)


def _around(words: Sequence[str], start: int, end: int) -> tuple[str, str]:
    """The punctuation before the first word and after the last one of ``words[start:end]``."""
    first, last = words[start].strip(), words[end - 1].strip()
    first_core, last_core = clean_word(first), clean_word(last)
    prefix = first[: first.find(first_core)] if first_core else ""
    suffix = last[last.rfind(last_core) + len(last_core) :] if last_core else ""
    return prefix, suffix


def _match(words: Sequence[str], start: int, end: int, kind: Kind) -> Match:
    prefix, suffix = _around(words, start, end)
    return Match(start, end, kind, PLACEHOLDERS[kind], prefix, suffix)


def _identifiers(words: Sequence[str], language: str | None, breaks: frozenset[int]) -> list[Candidate]:
    found: list[Candidate] = []
    for run in number_runs(words, language, breaks=breaks):
        found += _windows(words, run)
    return found


def _windows(words: Sequence[str], run: list[Unit]) -> list[Candidate]:
    """Every stretch of whole units in a run that is a valid identifier."""
    found: list[Candidate] = []
    for i, first in enumerate(run):
        if first.text in RUN_SYMBOLS and first.text != "+":
            continue
        text = ""
        for j in range(i, len(run)):
            text += run[j].text
            if len(text) > MAX_IDENTIFIER_CHARS:
                break
            kind = identifier_kind(text)
            if kind is not None:
                found.append((len(text), _PRIORITY[kind], _match(words, first.start, run[j].end, kind)))
    return found


def _emailish(word: str, language: str | None) -> str | None:
    core = clean_word(word)
    if not core or symbol_of(word, language) is not None or not _EMAILISH.fullmatch(core):
        return None
    return core


def _email_piece(word: str, language: str | None) -> str | None:
    """What a word adds to a spoken address: its text, or the symbol it names ("at" → "@")."""
    if word.strip() == "@":
        return "@"
    return symbol_of(word, language) or _emailish(word, language)


def _spoken_emails(words: Sequence[str], language: str | None) -> list[Candidate]:
    """``anna piste virtanen at example piste fi`` and ``anna.virtanen at example.fi``: words joined by spoken
    or written "@" and "." that form a valid address."""
    found: list[Candidate] = []
    for at in range(1, len(words) - 1):
        if _email_piece(words[at], language) != "@":
            continue
        if _emailish(words[at - 1], language) is None or _emailish(words[at + 1], language) is None:
            continue
        start, end = at - 1, at + 2  # words[start:end]
        while start >= 2 and symbol_of(words[start - 1], language) in (".", "_", "-"):
            if _emailish(words[start - 2], language) is None:
                break
            start -= 2
        while end + 1 < len(words) and symbol_of(words[end], language) in (".", "-"):
            if _emailish(words[end + 1], language) is None:
                break
            end += 2
        address = "".join(_email_piece(w, language) or "" for w in words[start:end])
        if EMAIL.fullmatch(address):
            found.append((len(address), _PRIORITY["email"], _match(words, start, end, "email")))
    return found


def _redact_inside(core: str) -> tuple[str, list[Kind], int]:
    """``core`` with e-mail addresses and glued identifiers replaced, the kinds found and how many characters
    they had."""
    kinds: list[Kind] = []
    size = 0

    def replace(kind: Kind | None, m: re.Match[str]) -> str:
        nonlocal size
        if kind is None:
            return m.group()
        kinds.append(kind)
        size += len(m.group())
        return PLACEHOLDERS[kind]

    label = EMAIL.sub(lambda m: replace("email", m), core)
    if not core.lower().startswith(("www.", "http")):  # a web address is no e-mail address
        label = _GLUED_AT.sub(lambda m: replace("email", m), label)
    label = _GLUED_NUMBER.sub(lambda m: replace(identifier_kind(m.group()), m), label)
    return label, kinds, size


def _inside_words(words: Sequence[str]) -> list[Candidate]:
    """E-mail addresses and identifiers written inside one word with other characters ("email:anna@x.fi")."""
    found: list[Candidate] = []
    for index, word in enumerate(words):
        if "@" not in word and "." not in word and not any(ch.isdigit() for ch in word):
            continue
        label, kinds, size = _redact_inside(word.strip())
        if kinds:
            found.append((size, _PRIORITY[kinds[0]], Match(index, index + 1, kinds[0], label)))
    return found


def _names(words: Sequence[str], policy: RedactionPolicy) -> list[Candidate]:
    if not policy.names:
        return []
    lengths = sorted({len(n) for n in policy.names}, reverse=True)
    lowered = [clean_word(w).lower() for w in words]
    found: list[Candidate] = []
    for start in range(len(words)):
        for size in lengths:
            if start + size <= len(words) and _is_name(lowered[start : start + size], policy):
                found.append(
                    (
                        sum(map(len, lowered[start : start + size])),
                        _PRIORITY["name"],
                        _match(words, start, start + size, "name"),
                    )
                )
                break
    return found


def _is_name(tokens: list[str], policy: RedactionPolicy) -> bool:
    if not all(tokens):
        return False
    if tuple(tokens) in policy.names:
        return True
    head, last = tuple(tokens[:-1]), tokens[-1]
    return any(
        last.endswith(ending) and (*head, last[: -len(ending)]) in policy.names
        for ending in NAME_SUFFIXES
        if len(last) > len(ending)
    )

"""Redact free text and word lists: comments and corrections people type, file names, transcript words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from coaching.redaction.detect import find_matches
from coaching.redaction.kinds import DEFAULT_POLICY, Match, RedactionPolicy

_WORD = re.compile(r"\S+")


def redact_words(
    words: Sequence[str],
    language: str | None,
    policy: RedactionPolicy = DEFAULT_POLICY,
    *,
    breaks: frozenset[int] = frozenset(),
) -> tuple[list[str], list[Match]]:
    """``words`` with every match replaced by one word holding its placeholder, and the matches (indices into
    ``words``)."""
    matches = find_matches(words, language, policy, breaks=breaks) if policy.enabled else []
    out: list[str] = []
    at = 0
    for match in matches:
        out += words[at : match.start]
        out.append(match.text)
        at = match.end
    out += words[at:]
    return out, matches


def redact_text(text: str, language: str | None = None, policy: RedactionPolicy = DEFAULT_POLICY) -> str:
    """``text`` with identifiers, e-mail addresses and deny-listed names replaced by placeholders; the spacing
    between the other words stays. ``language`` None reads number words of fi, sv and en alike."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not spans or not policy.enabled:
        return text
    _, matches = redact_words([text[a:b] for a, b in spans], language, policy)
    pieces: list[str] = []
    at = 0
    for match in matches:
        start, end = spans[match.start][0], spans[match.end - 1][1]
        pieces += [text[at:start], match.text]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def redact_filename(name: str, policy: RedactionPolicy = DEFAULT_POLICY) -> str:
    """An upload's file name redacted like text, the extension and ``_`` separators kept apart from the words
    (``asiakas_131052-308T.mp3`` → ``asiakas_[PERSONAL_ID].mp3``)."""
    stem, dot, suffix = name.rpartition(".")
    if not stem:
        stem, dot, suffix = name, "", ""
    underscores = "_" in stem and " " not in stem
    redacted = redact_text(stem.replace("_", " ") if underscores else stem, None, policy)
    return (redacted.replace(" ", "_") if underscores else redacted) + dot + suffix

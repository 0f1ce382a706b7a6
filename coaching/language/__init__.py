"""Per-language word lists (fillers, backchannels, question openers, customer-state words) and norms.

Data lives in YAML files beside this module (``lexicon_{lang}.yaml``, ``norms_{lang}.yaml``);
they are read on first use and cached. Entries are phrases of one or more tokens; a token
ending in ``*`` matches any word that starts with it (Finnish inflection: ``työttöm*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from coaching.errors import LanguageDataError
from coaching.jsonable import JsonObject
from coaching.settings import SUPPORTED_LANGUAGES

STATE_CATEGORIES: tuple[str, ...] = ("hardship", "worry", "anger", "relief", "thanks")
# The balance of a window weighs feelings only: hardship words describe the situation, which
# customers naturally tell early in the call, so counting them would make every call "improve".
NEGATIVE_STATES: tuple[str, ...] = ("worry", "anger")
POSITIVE_STATES: tuple[str, ...] = ("relief", "thanks")

_STRIP = re.compile(r"^[^\w]+|[^\w]+$")


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class QuestionCues:
    """How to spot agent questions and tell open from closed ones."""

    skip: frozenset[str]  # leading discourse words ignored ("and", "so", "eli")
    open_start: tuple[Phrase, ...]  # a question starting with these is open (what, how, miten)
    open_early: tuple[Phrase, ...]  # these within the first words make it open (tell, kertoa)
    closed_start: tuple[Phrase, ...]  # yes/no question openers (do, is, onko)
    clitics: tuple[str, ...]  # Finnish question clitics (-ko/-kö): a question even without "?"
    clitic_exceptions: frozenset[str]  # words that end like a clitic but are not questions (joko, verkko)


@dataclass(frozen=True)
class Lexicon:
    language: str
    fillers: tuple[Phrase, ...]
    backchannels: frozenset[str]
    questions: QuestionCues
    states: dict[str, tuple[Phrase, ...]]  # category → phrases


def normalize_token(word: str) -> str:
    """Lower-case a word and strip surrounding punctuation: ``" Joo,"`` → ``"joo"``."""
    return _STRIP.sub("", word.strip().lower().replace("’", "'"))


def phrase_matches(*, phrase: Phrase, tokens: list[str] | tuple[str, ...], index: int) -> bool:
    """Whether ``phrase`` matches ``tokens`` starting at ``index`` (``*`` = prefix match)."""
    if index + len(phrase) > len(tokens):
        return False
    for pattern, token in zip(phrase, tokens[index : index + len(phrase)], strict=True):
        if pattern.endswith("*"):
            if not token.startswith(pattern[:-1]):
                return False
        elif token != pattern:
            return False
    return True


def _strings(raw: Any, *, where: str) -> list[str]:
    # YAML reads unquoted yes/no/on/off as booleans: such words must be quoted in the data files.
    if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
        raise LanguageDataError(f"{where} must be a list of non-empty strings (quote yes/no), got {raw!r}")
    return raw


def _phrases(raw: Any, *, where: str) -> tuple[Phrase, ...]:
    raw = _strings(raw, where=where)
    return tuple(tuple(normalize_token(t) + ("*" if t.endswith("*") else "") for t in item.split()) for item in raw)


def read_data_file(name: str) -> JsonObject:
    """Parse one YAML data file of this package."""
    try:
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise LanguageDataError(f"language data file {name!r} is missing") from error
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise LanguageDataError(f"language data file {name!r} must hold a mapping, got {type(data).__name__}")
    return data


def check_language(language: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        raise LanguageDataError(f"unsupported language {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}")
    return language


@cache
def load_lexicon(language: str) -> Lexicon:
    """The word lists of ``language`` (fi, sv or en)."""
    check_language(language)
    name = f"lexicon_{language}.yaml"
    data = read_data_file(name)
    try:
        q = data["questions"]
        cues = QuestionCues(
            skip=frozenset(normalize_token(w) for w in _strings(q.get("skip", []), where=f"{name}: questions.skip")),
            open_start=_phrases(q["open_start"], where=f"{name}: questions.open_start"),
            open_early=_phrases(q.get("open_early", []), where=f"{name}: questions.open_early"),
            closed_start=_phrases(q["closed_start"], where=f"{name}: questions.closed_start"),
            clitics=tuple(q.get("clitics") or []),
            clitic_exceptions=frozenset(_strings(q.get("clitic_exceptions") or [], where=f"{name}: exceptions")),
        )
        states = {c: _phrases(data["states"][c], where=f"{name}: states.{c}") for c in STATE_CATEGORIES}
        return Lexicon(
            language=language,
            fillers=_phrases(data["fillers"], where=f"{name}: fillers"),
            backchannels=frozenset(
                normalize_token(w) for w in _strings(data["backchannels"], where=f"{name}: backchannels")
            ),
            questions=cues,
            states=states,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise LanguageDataError(f"{name} is missing or misshapes {error!s}") from error


@cache
def _by_first_char(phrases: tuple[Phrase, ...]) -> dict[str, tuple[tuple[int, Phrase], ...]]:
    index: dict[str, list[tuple[int, Phrase]]] = {}
    for k, phrase in enumerate(phrases):
        index.setdefault(phrase[0][:1], []).append((k, phrase))
    return {ch: tuple(items) for ch, items in index.items()}


def phrase_spans(*, tokens: list[str] | tuple[str, ...], phrases: tuple[Phrase, ...]) -> list[tuple[int, int]]:
    """Non-overlapping matches ``(start, end)`` (token indices, end exclusive), longest phrase first at each start."""
    index = _by_first_char(phrases)
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        best = 0
        for _, phrase in index.get(tokens[i][:1], ()):
            if len(phrase) > best and phrase_matches(phrase=phrase, tokens=tokens, index=i):
                best = len(phrase)
        if best:
            found.append((i, i + best))
            i += best
        else:
            i += 1
    return found

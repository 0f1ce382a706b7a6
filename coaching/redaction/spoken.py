"""Numbers and symbols as a recogniser writes them, normalised per language (fi, sv, en).

``"neljä yksi yksi yksi"``, ``"four one one one"``, ``"4 1 1 1 1111"`` and ``"kaksikymmentäkolme"`` all become
digit strings, one :class:`Unit` per stretch of whole words, so a match on the normalised string maps back to
the words it covers. The number-word tables are data (``spoken.yaml`` beside this module).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from coaching.errors import LanguageDataError
from coaching.settings import SUPPORTED_LANGUAGES

_OUTER = re.compile(r"^[^\w+]+|[^\w]+$")  # punctuation around a word (a leading "+" stays: "+358")
_CODE = re.compile(r"\+?[0-9A-Za-z]+(?:[-+][0-9A-Za-z]+)*")  # "4111", "FI21", "010203-123A", "+358-40"
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")  # "4,111,111" as English number formatting writes it
RUN_SYMBOLS = frozenset("-+")  # symbols that may sit inside a number ("010203-123A", "+358")

Atom = tuple[str, int]  # ("digit" | "teen" | "tens" | "hundred" | "repeat", value)


@dataclass(frozen=True)
class NumberWords:
    """One language's words for digits, numbers and the symbols of identifiers."""

    language: str
    atoms: dict[str, Atom]  # entry → atom, for every number word
    symbols: dict[str, str]  # word → "-", "+", "@", ".", "_"
    longest: int  # length of the longest entry (compound splitting)


@dataclass(frozen=True)
class Unit:
    """Whole words ``[start, end)`` (indices into the word list) and what they normalise to: digits, a written
    code (``"FI21"``, ``"+358"``), or one of :data:`RUN_SYMBOLS`."""

    start: int
    end: int
    text: str


def clean_word(word: str) -> str:
    """A word without the punctuation around it: ``" 4111,"`` → ``"4111"``, ``"(+358"`` → ``"+358"``."""
    return _OUTER.sub("", word.strip())


@cache
def _spoken_tables() -> dict[str, object]:
    """spoken.yaml, parsed once (libyaml when built in: the same data, faster)."""
    text = resources.files(__package__).joinpath("spoken.yaml").read_text(encoding="utf-8")
    tables: dict[str, object] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return tables


@cache
def number_words(language: str | None) -> NumberWords:
    """The tables of ``language``; None merges fi, sv and en (free text of unknown language)."""
    languages = SUPPORTED_LANGUAGES if language is None else (language,)
    raw = _spoken_tables()
    atoms: dict[str, Atom] = {}
    symbols: dict[str, str] = {}
    for lang in languages:
        table = raw.get(lang)
        if not isinstance(table, dict):
            raise LanguageDataError(f"spoken.yaml has no tables for language {lang!r}")
        for kind in ("digits", "teens", "tens", "repeat"):
            for word, value in (table.get(kind) or {}).items():
                atoms.setdefault(str(word).lower(), ("digit" if kind == "digits" else kind, int(value)))
        for word in table.get("hundred") or []:
            atoms.setdefault(str(word).lower(), ("hundred", 100))
        for word, symbol in (table.get("symbols") or {}).items():
            symbols.setdefault(str(word).lower(), str(symbol))
    return NumberWords(
        language=language or "any", atoms=atoms, symbols=symbols, longest=max(map(len, atoms), default=0)
    )


def _split_number(word: str, table: NumberWords) -> list[Atom] | None:
    """The atoms a number word is made of (``"tjugotre"`` → tens 20, digit 3), or None when it is no number."""
    atoms: list[Atom] = []
    for part in word.split("-"):
        at = 0
        while at < len(part):
            for size in range(min(table.longest, len(part) - at), 0, -1):
                atom = table.atoms.get(part[at : at + size])
                if atom is not None:
                    atoms.append(atom)
                    at += size
                    break
            else:
                return None
        if not part:
            return None
    return atoms


def _code(word: str) -> str | None:
    """A written code (digits, or short upper-case letters as in IBANs and identity codes), or None."""
    if _THOUSANDS.fullmatch(word):
        return word.replace(",", "")
    if not _CODE.fullmatch(word):
        return None
    letters_only = not any(ch.isdigit() for ch in word)
    if letters_only and not (len(word) == 1 or (word.isupper() and len(word) <= 4)):
        return None
    return word


def _fold(atoms: list[tuple[int, Atom]]) -> list[Unit]:
    """Number-word atoms (with the index of their word) → units of digits: "twenty three" = 23, "four hundred" = 400,
    "double four" = 44, "yksi kaksi" = 1, 2."""
    units: list[Unit] = []
    i = 0

    def kind(k: int) -> str:
        return atoms[k][1][0] if k < len(atoms) else ""

    def value(k: int) -> int:
        return atoms[k][1][1]

    while i < len(atoms):
        start = atoms[i][0]
        if kind(i) == "repeat" and kind(i + 1) == "digit":
            text, i = str(value(i + 1)) * value(i), i + 2
        elif kind(i) == "hundred" or (kind(i) == "digit" and kind(i + 1) == "hundred"):
            total = 100 if kind(i) == "hundred" else value(i) * 100
            i += 1 if kind(i) == "hundred" else 2
            if kind(i) in ("teen", "digit"):
                total, i = total + value(i), i + 1
            elif kind(i) == "tens":
                total, i = total + value(i), i + 1
                if kind(i) == "digit" and value(i) > 0:
                    total, i = total + value(i), i + 1
            text = str(total)
        elif kind(i) == "tens" and kind(i + 1) == "digit" and value(i + 1) > 0:
            text, i = str(value(i) + value(i + 1)), i + 2
        else:
            text, i = str(value(i)), i + 1
        units.append(Unit(start, atoms[i - 1][0] + 1, text))
    return _whole_words(units)


def _whole_words(units: list[Unit]) -> list[Unit]:
    """Join units that share a word, so every unit covers whole words."""
    joined: list[Unit] = []
    for unit in units:
        if joined and unit.start < joined[-1].end:
            last = joined.pop()
            unit = Unit(last.start, max(last.end, unit.end), last.text + unit.text)
        joined.append(unit)
    return joined


def number_runs(
    words: Sequence[str], language: str | None, *, breaks: frozenset[int] = frozenset()
) -> list[list[Unit]]:
    """Stretches of consecutive words that read as digits, codes, "-" or "+", as units.

    A run ends at any other word and before every index in ``breaks`` (a long pause, another segment).
    """
    table = number_words(language)
    runs: list[list[Unit]] = []
    current: list[Unit] = []
    pending: list[tuple[int, Atom]] = []  # number-word atoms waiting to be folded

    def flush_numbers() -> None:
        if pending:
            current.extend(_fold(pending))
            pending.clear()

    def end_run() -> None:
        flush_numbers()
        if current:
            runs.append(list(current))
            current.clear()

    for index, raw in enumerate(words):
        if index in breaks:
            end_run()
        word = clean_word(raw)
        lower = word.lower()
        symbol = table.symbols.get(lower)
        atoms = None if symbol is not None else _split_number(lower, table) if lower else None
        if symbol in RUN_SYMBOLS or (not word and raw.strip() in RUN_SYMBOLS):
            flush_numbers()
            current.append(Unit(index, index + 1, symbol or raw.strip()))
        elif atoms:
            pending.extend((index, atom) for atom in atoms)
        elif (code := _code(word)) is not None:
            flush_numbers()
            current.append(Unit(index, index + 1, code))
        else:
            end_run()
    end_run()
    return runs


def symbol_of(word: str, language: str | None) -> str | None:
    """The symbol a spoken word stands for ("at" → "@", "piste" → "."), or None."""
    return number_words(language).symbols.get(clean_word(word).lower())

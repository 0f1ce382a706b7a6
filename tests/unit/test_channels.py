"""coaching.audio.channels on synthetic two-speaker signals: dual mono, crosstalk / echo, one-sided calls."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.audio.channels import (
    DUAL_MONO_MAX_LEVEL_DIFF_DB,
    LEAK_MAX_DELAY_S,
    check_channels,
    normalised_cross_correlation,
    rms_dbfs,
)

RATE_HZ = 16_000
TURN_S = 1.5


def talker(seed: int, *, n_turns: int = 6, first: int = 0) -> np.ndarray:
    """Speech-like bursts (4 Hz syllable envelope over coloured noise) in every other turn, from ``first``."""
    rng = np.random.default_rng(seed)
    n = int(TURN_S * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    out = np.zeros(n * n_turns, dtype=np.float32)
    for turn in range(first, n_turns, 2):
        noise = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
        envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t)) * np.hanning(n)
        out[turn * n : (turn + 1) * n] = 0.3 * noise * envelope / np.max(np.abs(noise))
    return out


def delayed(signal: np.ndarray, delay_s: float, gain_db: float) -> np.ndarray:
    shift = round(delay_s * RATE_HZ)
    out = np.zeros_like(signal)
    out[shift:] = signal[: signal.size - shift] * 10 ** (gain_db / 20)
    return out


AGENT, CUSTOMER = talker(1), talker(2, first=1)


def test_a_clean_two_speaker_call_passes_untouched() -> None:
    samples = np.stack([AGENT, CUSTOMER])
    check = check_channels(samples, RATE_HZ)
    assert not check.dual_mono and not check.leaks and not check.silent_channels and not check.warnings
    assert check.samples is samples


@pytest.mark.parametrize("gain_db", [0.0, -3.0, -DUAL_MONO_MAX_LEVEL_DIFF_DB + 1])
def test_one_signal_saved_twice_is_mono(gain_db: float) -> None:
    mono = AGENT + CUSTOMER
    rng = np.random.default_rng(5)
    other = (mono * 10 ** (gain_db / 20) + 1e-4 * rng.standard_normal(mono.size)).astype(np.float32)
    check = check_channels(np.stack([other, mono]), RATE_HZ)
    assert check.dual_mono and check.samples.shape == (1, mono.size)
    assert np.array_equal(check.samples[0], mono if gain_db < 0 else other)  # the louder channel
    assert "same signal" in check.warnings[0]


def test_cross_correlation_finds_the_delay_and_its_direction() -> None:
    lags, correlation = normalised_cross_correlation(
        AGENT + delayed(CUSTOMER, 0.03, -20), CUSTOMER, max_lag=round(LEAK_MAX_DELAY_S * RATE_HZ), rate_hz=RATE_HZ
    )
    assert lags[int(np.argmax(np.abs(correlation)))] == round(0.03 * RATE_HZ)  # positive: right leads into left


@pytest.mark.parametrize(("delay_s", "gain_db"), [(0.03, -20.0), (0.12, -15.0), (0.005, -30.0)])
def test_an_echo_of_the_other_side_is_removed(delay_s: float, gain_db: float) -> None:
    left = AGENT + delayed(CUSTOMER, delay_s, gain_db)
    right = CUSTOMER + delayed(AGENT, delay_s, gain_db)
    check = check_channels(np.stack([left, right]), RATE_HZ)
    assert sorted((k.into, k.source) for k in check.leaks) == [(0, 1), (1, 0)]
    for leak in check.leaks:
        assert leak.delay_s == pytest.approx(delay_s, abs=1 / RATE_HZ)
        assert leak.gain_db == pytest.approx(gain_db, abs=1.5)
    own = (AGENT, CUSTOMER)
    for channel in (0, 1):
        other_turns = np.abs(own[1 - channel]) > 0
        quiet_own = np.abs(own[channel]) == 0
        leak_only = other_turns & quiet_own
        # where only the other side spoke, the channel is now at least 30 dB below the leak it held
        assert rms_dbfs(check.samples[channel][leak_only]) < rms_dbfs(right if channel else left) - 30
        # the channel's own speech is kept
        speech = np.abs(own[channel]) > 0.01
        kept = np.corrcoef(check.samples[channel][speech], own[channel][speech])[0, 1]
        assert kept > 0.99
    assert any("crosstalk" in w for w in check.warnings)


def test_a_silent_channel_is_a_one_sided_call() -> None:
    check = check_channels(np.stack([AGENT, np.zeros_like(AGENT)]), RATE_HZ)
    assert check.silent_channels == (1,)
    assert "one-sided" in check.warnings[0] and "right" in check.warnings[0]


def test_a_channel_holding_only_the_others_echo_is_one_sided_and_the_speaker_is_kept() -> None:
    check = check_channels(np.stack([AGENT, delayed(AGENT, 0.03, -20)]), RATE_HZ)
    assert [(k.into, k.source) for k in check.leaks] == [(1, 0)]  # not the other way round
    assert check.silent_channels == (1,)
    assert np.array_equal(check.samples[0], AGENT)


def test_mono_input_passes() -> None:
    samples = AGENT[np.newaxis, :]
    assert check_channels(samples, RATE_HZ).samples is samples

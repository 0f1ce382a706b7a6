"""Voice delivery figures: pitch (YIN gated by RMS voicing; :mod:`coaching.audio.frames`) and loudness.

These describe how someone spoke (pitch level, pitch range, loudness); they are never
emotion labels. For agents that is the law (EU AI Act Art. 5(1)(f)); customer figures are
used only relative to the customer's own baseline (see :mod:`coaching.metrics.trajectory`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coaching.audio.frames import rms, yin_f0_hz, zero_crossing_rate
from coaching.errors import AudioError
from coaching.jsonable import JsonMixin

FRAME_S = 0.048  # yin window: 48 ms holds two periods of a 60 Hz voice with librosa's half-window lag range
HOP_S = 0.02
FMIN_HZ = 60.0
FMAX_HZ = 500.0
SILENCE_FLOOR_DBFS = -70.0  # frames quieter than this are digital silence, not speech
VOICING_RANGE_DB = 20.0  # a frame is voiced only within this many dB of the speaker's loud frames (95th pct)
VOICING_FLOOR_DBFS = -60.0
MAX_VOICED_ZCR = 0.2  # zero crossings per sample; fricatives and noise are above this
OCTAVE_GUARD_ST = 10.0  # yin octave errors land ~12 st from the speaker's median; frames this far out are dropped
MIN_VOICED_S = 0.5  # less voiced time than this gives no pitch figures
YIN_SPAN_PAD_S = 0.1  # yin runs this far around the speech spans it is given


@dataclass(frozen=True)
class FrameFeatures:
    """Per-frame features of one channel; all arrays have shape (n_frames,)."""

    hop_s: float
    times_s: np.ndarray  # frame centres
    f0_hz: np.ndarray  # yin estimate (meaningful only where voiced; NaN where a frame cannot be voiced)
    rms_dbfs: np.ndarray
    zcr: np.ndarray


@dataclass(frozen=True)
class Delivery(JsonMixin):
    """How a speaker's voice sounded inside their speech spans (descriptive, not emotional)."""

    speech_s: float
    voiced_s: float
    pitch_median_hz: float | None
    pitch_p5_hz: float | None
    pitch_p95_hz: float | None
    pitch_range_st: float | None  # 12·log2(p95 / p5)
    pitch_variability_st: float | None  # standard deviation of pitch in semitones around the median
    loudness_median_dbfs: float | None
    loudness_range_db: float | None  # p95 − p5 of frame RMS level in speech


def _frame_ranges(spans: Sequence[tuple[float, float]], *, hop_s: float, n_frames: int) -> list[tuple[int, int]]:
    """Merged frame-index ranges [i0, i1) covering ``spans`` padded by YIN_SPAN_PAD_S."""
    ranges: list[tuple[int, int]] = []
    for start_s, end_s in sorted(spans):
        i0 = max(0, int(np.floor((start_s - YIN_SPAN_PAD_S) / hop_s)))
        i1 = min(n_frames, int(np.ceil((end_s + YIN_SPAN_PAD_S) / hop_s)) + 1)
        if i1 <= i0:
            continue
        if ranges and i0 <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], i1))
        else:
            ranges.append((i0, i1))
    return ranges


def _yin_inside(
    y: np.ndarray,
    ranges: list[tuple[int, int]],
    *,
    hop: int,
    frame: int,
    sr: int,
    fmin_hz: float,
    fmax_hz: float,
    only: np.ndarray | None = None,
) -> np.ndarray:
    """yin f0 for the frames in ``ranges`` (NaN elsewhere), running yin once over the joined stretches;
    ``only`` (one bool per frame of ``y``) leaves out the frames where it is False (NaN there too)."""
    n_frames = 1 + y.size // hop
    f0 = np.full(n_frames, np.nan)
    if not ranges:
        return f0
    joined = np.concatenate([y[i0 * hop : i1 * hop] for i0, i1 in ranges])
    if joined.size < frame:
        joined = np.pad(joined, (0, frame - joined.size))
    joined_only = None
    if only is not None:  # the same frames, numbered as in the joined stretches
        joined_only = np.zeros(1 + joined.size // hop, dtype=bool)
        offset = 0
        for i0, i1 in ranges:
            count = min(i1 - i0, joined_only.size - offset)
            joined_only[offset : offset + count] = only[i0 : i0 + count]
            offset += i1 - i0
    part = yin_f0_hz(
        joined,
        sample_rate_hz=sr,
        frame_length=frame,
        hop_length=hop,
        fmin_hz=fmin_hz,
        fmax_hz=fmax_hz,
        only=joined_only,
    )
    offset = 0
    for i0, i1 in ranges:
        count = min(i1 - i0, part.size - offset)
        f0[i0 : i0 + count] = part[offset : offset + count]
        offset += i1 - i0
    return f0


def frame_features(
    *,
    samples: np.ndarray,
    sample_rate_hz: int,
    spans: Sequence[tuple[float, float]] | None = None,
    fmin_hz: float = FMIN_HZ,
    fmax_hz: float = FMAX_HZ,
) -> FrameFeatures:
    """yin f0, RMS level and zero-crossing rate of ``samples`` (shape (n_samples,)), every 20 ms.

    With ``spans``, yin runs only on frames inside them (padded by YIN_SPAN_PAD_S) and f0 is
    NaN elsewhere: a speaker's own channel is mostly silence, and yin is the costly part. It also skips (NaN)
    frames that cannot be voiced (:func:`speech_and_voiced`: below VOICING_FLOOR_DBFS or at MAX_VOICED_ZCR and
    above), about a third of those in speech; every voiced frame's f0 is the same number as with yin everywhere.
    """
    if samples.ndim != 1:
        raise AudioError(f"delivery takes one channel of shape (n_samples,), got shape {samples.shape}")
    if sample_rate_hz <= 0:
        raise AudioError(f"sample rate must be positive, got {sample_rate_hz} Hz")
    if not 0 < fmin_hz < fmax_hz < sample_rate_hz / 2:
        raise AudioError(f"pitch band {fmin_hz}–{fmax_hz} Hz does not fit sample rate {sample_rate_hz} Hz")
    frame = 2 * round(FRAME_S * sample_rate_hz / 2)
    hop = round(HOP_S * sample_rate_hz)
    y = np.ascontiguousarray(samples, dtype=np.float32)
    if y.size < frame:
        y = np.pad(y, (0, frame - y.size))
    level = rms(y, frame_length=frame, hop_length=hop)
    zcr = zero_crossing_rate(y, frame_length=frame, hop_length=hop)
    all_dbfs = 20.0 * np.log10(np.maximum(level, 1e-10))
    # yin only where a frame can be voiced (speech_and_voiced): loud enough, few zero crossings
    may_be_voiced = (all_dbfs.astype(np.float64) >= VOICING_FLOOR_DBFS) & (zcr.astype(np.float64) < MAX_VOICED_ZCR)
    if spans is None:
        f0 = yin_f0_hz(
            y,
            sample_rate_hz=sample_rate_hz,
            frame_length=frame,
            hop_length=hop,
            fmin_hz=fmin_hz,
            fmax_hz=fmax_hz,
            only=may_be_voiced,
        )
    else:
        ranges = _frame_ranges(spans, hop_s=hop / sample_rate_hz, n_frames=1 + y.size // hop)
        f0 = _yin_inside(
            y, ranges, hop=hop, frame=frame, sr=sample_rate_hz, fmin_hz=fmin_hz, fmax_hz=fmax_hz, only=may_be_voiced
        )
    n = min(f0.size, level.size, zcr.size)
    rms_dbfs = all_dbfs[:n]
    return FrameFeatures(
        hop_s=hop / sample_rate_hz,
        times_s=np.arange(n) * (hop / sample_rate_hz),
        f0_hz=f0[:n].astype(np.float64),
        rms_dbfs=rms_dbfs.astype(np.float64),
        zcr=zcr[:n].astype(np.float64),
    )


def span_mask(*, times_s: np.ndarray, spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """Boolean mask of shape times_s.shape: True where a time falls inside one of the sorted ``spans``."""
    if not spans:
        return np.zeros(times_s.shape, dtype=bool)
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    idx = np.searchsorted(starts, times_s, side="right") - 1
    inside = idx >= 0
    inside[inside] = times_s[inside] < ends[idx[inside]]
    return inside


def speech_and_voiced(
    *, features: FrameFeatures, spans: Sequence[tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Masks (speech, voiced), shape (n_frames,): frames inside ``spans`` above silence, and of those the voiced ones.

    Voiced = within VOICING_RANGE_DB of the speaker's 95th-percentile level, above
    VOICING_FLOOR_DBFS, zero-crossing rate below MAX_VOICED_ZCR, yin f0 inside the band and
    within OCTAVE_GUARD_ST of the median f0 of those frames (octave errors dropped).
    """
    speech = span_mask(times_s=features.times_s, spans=spans) & (features.rms_dbfs > SILENCE_FLOOR_DBFS)
    if not speech.any():
        return speech, speech.copy()
    loud_dbfs = float(np.percentile(features.rms_dbfs[speech], 95))
    gate_dbfs = max(loud_dbfs - VOICING_RANGE_DB, VOICING_FLOOR_DBFS)
    with np.errstate(invalid="ignore"):  # NaN f0 (frames yin skipped) compares False
        in_band = (features.f0_hz > FMIN_HZ * 1.02) & (features.f0_hz < FMAX_HZ * 0.98)
    voiced = speech & (features.rms_dbfs >= gate_dbfs) & (features.zcr < MAX_VOICED_ZCR) & in_band
    if voiced.any():
        median_hz = float(np.median(features.f0_hz[voiced]))
        voiced &= np.abs(12.0 * np.log2(np.maximum(features.f0_hz, 1e-6) / median_hz)) <= OCTAVE_GUARD_ST
    return speech, voiced


def semitones(*, f_hz: np.ndarray | float, ref_hz: float) -> np.ndarray:
    """12·log2(f_hz / ref_hz), elementwise."""
    return 12.0 * np.log2(np.asarray(f_hz, dtype=np.float64) / ref_hz)


def describe_delivery(*, features: FrameFeatures, spans: Sequence[tuple[float, float]]) -> Delivery:
    """Pitch and loudness of the frames inside ``spans`` (one speaker's merged speech spans)."""
    speech, voiced = speech_and_voiced(features=features, spans=spans)
    levels = features.rms_dbfs[speech]
    f0 = features.f0_hz[voiced]
    pitch: dict[str, float | None] = dict.fromkeys(("median", "p5", "p95", "range", "var"))
    if f0.size * features.hop_s >= MIN_VOICED_S:
        median = float(np.median(f0))
        p5, p95 = (float(v) for v in np.percentile(f0, [5, 95]))
        st = semitones(f_hz=f0, ref_hz=median)
        pitch = {
            "median": median,
            "p5": p5,
            "p95": p95,
            "range": float(semitones(f_hz=p95, ref_hz=p5)),
            "var": float(np.std(st)),
        }
    return Delivery(
        speech_s=float(speech.sum() * features.hop_s),
        voiced_s=float(voiced.sum() * features.hop_s),
        pitch_median_hz=pitch["median"],
        pitch_p5_hz=pitch["p5"],
        pitch_p95_hz=pitch["p95"],
        pitch_range_st=pitch["range"],
        pitch_variability_st=pitch["var"],
        loudness_median_dbfs=float(np.median(levels)) if levels.size else None,
        loudness_range_db=float(np.subtract(*np.percentile(levels, [95, 5]))) if levels.size else None,
    )

"""Light two-speaker diarization for mono calls.

Speech spans (from VAD) are cut into overlapping windows; each window gets a voice
fingerprint (MFCC 1–19 means, plus the median pitch of its voiced frames in
semitones, weighted double). The standardised fingerprints are split in two with
k-means, the labels are smoothed over time, and the spans are split where the label
changes. The speaker of the first turn is always index 0.

``Diarization.confidence`` measures how much better the two clusters are separated
than a split of one voice would be: the silhouette score of the k-means split minus
the mean silhouette of k-means splits of Gaussian samples with the same covariance
(one voice whose fingerprints only vary with what is said), mapped linearly from
[_ONE_VOICE_EXCESS, _FULL_CONFIDENCE_EXCESS] to [0, 1]; then scaled down when the
smaller speaker has under ``_RELIABLE_TALK_S`` of speech. An excess up to
_ONE_VOICE_EXCESS, or a second speaker with under 5 % of the speech, means one
voice (``n_speakers == 1``, confidence 0). Before any clustering, :func:`one_voice_likely` settles the plain
one-voice calls cheaply from the fingerprints' first principal component.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coaching.audio.frames import rms as frame_rms
from coaching.audio.frames import yin_f0_hz, zero_crossing_rate
from coaching.errors import AudioError, EmptyAudioError

_FRAME_HOP_S = 0.01
_N_MFCC = 20
_FMIN_HZ = 60.0
_FMAX_HZ = 400.0
_MIN_TURN_S = 0.8
_SPAN_TOLERANCE_S = 0.05
_MIN_SAMPLE_RATE_HZ = 4000
_ONE_VOICE_EXCESS = 0.02
_FULL_CONFIDENCE_EXCESS = 0.10
_NULL_REPEATS = 6
_MIN_SPEAKER_SHARE = 0.05
_RELIABLE_TALK_S = 3.0
_PITCH_WEIGHT = 2.0
_MAX_SILHOUETTE_SAMPLES = 2000
_ONE_VOICE_SPLIT_SHARE = 0.80
_ONE_VOICE_MIN_WINDOWS = 20


@dataclass(frozen=True)
class DiarizedTurn:
    """A piece of one speech span spoken by one speaker."""

    start_s: float
    end_s: float
    speaker_index: int  # 0 or 1; 0 is always the speaker of the first turn


@dataclass(frozen=True)
class Diarization:
    """Turns sorted by time, non-overlapping, covering the speech spans (no silence between spans)."""

    turns: tuple[DiarizedTurn, ...]
    confidence: float
    n_speakers: int

    def speaker_at(self, time_s: float) -> int | None:
        """Speaker index of the turn containing ``time_s``, else of the nearest turn; None without turns."""
        if not self.turns:
            return None
        i = bisect.bisect_right(self.turns, time_s, key=lambda turn: turn.start_s) - 1
        candidates = [self.turns[j] for j in (i, i + 1) if 0 <= j < len(self.turns)]
        nearest = min(candidates, key=lambda t: max(t.start_s - time_s, time_s - t.end_s, 0.0))
        return nearest.speaker_index


@dataclass(frozen=True)
class _Windows:
    starts_s: np.ndarray  # (n_windows,)
    ends_s: np.ndarray  # (n_windows,)
    span_index: np.ndarray  # (n_windows,) index of the span each window lies in
    features: np.ndarray  # (n_windows, n_features), standardised
    n_reference: int  # sample size for the one-voice reference: windows overlapping by half at most


def diarize(
    *,
    samples: np.ndarray,
    sample_rate_hz: int,
    speech_spans_s: Sequence[tuple[float, float]],
    window_s: float = 2.0,
    hop_s: float = 0.5,
) -> Diarization:
    """Split the speech spans of a mono call between two speakers.

    ``samples`` has shape (n_samples,), float; ``speech_spans_s`` are (start_s, end_s)
    pairs, sorted and non-overlapping, inside the signal.
    """
    spans = _validate(
        samples=samples, sample_rate_hz=sample_rate_hz, spans_s=speech_spans_s, window_s=window_s, hop_s=hop_s
    )
    if not spans:
        return Diarization(turns=(), confidence=0.0, n_speakers=1)
    windows = _windows(samples=samples, sample_rate_hz=sample_rate_hz, spans_s=spans, window_s=window_s, hop_s=hop_s)
    if one_voice_likely(windows.features):  # cheap: no clustering, no one-voice reference splits
        return _one_speaker(spans)
    durations = windows.ends_s - windows.starts_s
    labels, excess = _cluster(features=windows.features, weights_s=durations, n_reference=windows.n_reference)
    share = float(durations[labels == 1].sum() / durations.sum())
    if excess <= _ONE_VOICE_EXCESS or min(share, 1.0 - share) < _MIN_SPEAKER_SHARE:
        return _one_speaker(spans)
    confidence = min(1.0, (excess - _ONE_VOICE_EXCESS) / (_FULL_CONFIDENCE_EXCESS - _ONE_VOICE_EXCESS))
    turns = _turns(spans_s=spans, windows=windows, labels=labels)
    talk_s = [sum(t.end_s - t.start_s for t in turns if t.speaker_index == k) for k in (0, 1)]
    confidence *= min(1.0, min(talk_s) / _RELIABLE_TALK_S)
    n_speakers = 2 if min(talk_s) > 0 else 1
    return Diarization(turns=turns, confidence=confidence, n_speakers=n_speakers)


def _one_speaker(spans: list[tuple[float, float]]) -> Diarization:
    return Diarization(turns=tuple(DiarizedTurn(s, e, speaker_index=0) for s, e in spans), confidence=0.0, n_speakers=1)


def one_voice_likely(features: np.ndarray) -> bool:
    """Whether the window fingerprints (n_windows, n_features) look like one voice, decided without clustering.

    The best split of the fingerprints' first principal component into two groups is found exactly (sorted
    prefix sums). For one Gaussian voice it explains about 2/π ≈ 0.64 of that component's variance (95th
    percentile 0.77 with 25 windows, 0.70 with 100); two voices apart along it explain more. Measured: one voice
    0.57–0.83 (espeak voices 0.72–0.77, real single-speaker Finnish 0.59–0.64, single sample-call channels
    0.57–0.83), two voices 0.89–0.98 (synthetic, espeak and the sample calls mixed to mono). Below
    :data:`_ONE_VOICE_SPLIT_SHARE` the call is taken as one voice, so only calls that may hold two voices pay for
    k-means and its one-voice reference; with fewer than :data:`_ONE_VOICE_MIN_WINDOWS` windows the full test decides.
    """
    if features.shape[0] < _ONE_VOICE_MIN_WINDOWS:
        return False  # too few windows to judge: the full test decides
    centred = features - features.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    projected = np.sort(centred @ vt[0])
    total = float(np.sum(projected**2))
    if total <= 1e-12:
        return True
    n = projected.size
    prefix = np.cumsum(projected)[:-1]
    sizes = np.arange(1, n)
    between = prefix**2 / sizes + prefix**2 / (n - sizes)  # the other group's sum is -prefix (centred)
    return float(between.max()) / total < _ONE_VOICE_SPLIT_SHARE


def _validate(
    *, samples: np.ndarray, sample_rate_hz: int, spans_s: Sequence[tuple[float, float]], window_s: float, hop_s: float
) -> list[tuple[float, float]]:
    if not isinstance(samples, np.ndarray) or samples.ndim != 1 or not np.issubdtype(samples.dtype, np.floating):
        shape = getattr(samples, "shape", None)
        dtype = getattr(samples, "dtype", type(samples).__name__)
        raise AudioError(f"samples must be a 1-D float array, got shape {shape} dtype {dtype}")
    if (
        isinstance(sample_rate_hz, bool)
        or not isinstance(sample_rate_hz, int | np.integer)
        or sample_rate_hz < _MIN_SAMPLE_RATE_HZ
    ):
        raise AudioError(f"sample_rate_hz must be an integer >= {_MIN_SAMPLE_RATE_HZ}, got {sample_rate_hz!r}")
    if samples.size == 0:
        raise EmptyAudioError("samples is empty (0 samples)")
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"samples hold {int(np.sum(~np.isfinite(samples)))} non-finite values")
    if not (window_s > 0 and hop_s > 0 and math.isfinite(window_s) and math.isfinite(hop_s)):
        raise AudioError(f"window_s and hop_s must be positive, got window_s={window_s!r} hop_s={hop_s!r}")
    duration_s = samples.size / sample_rate_hz
    spans: list[tuple[float, float]] = []
    for span in spans_s:
        try:
            start_s, end_s = float(span[0]), float(span[1])
        except (TypeError, ValueError, IndexError) as error:
            raise AudioError(f"bad speech span {span!r}: need a (start_s, end_s) pair") from error
        if not (math.isfinite(start_s) and math.isfinite(end_s)) or start_s < -_SPAN_TOLERANCE_S or end_s <= start_s:
            raise AudioError(f"bad speech span {span!r}: need 0 <= start_s < end_s")
        if end_s > duration_s + _SPAN_TOLERANCE_S:
            raise AudioError(f"speech span {span!r} ends after the signal ({duration_s:.3f} s)")
        if spans and start_s < spans[-1][1] - 1e-9:
            raise AudioError(f"speech span {span!r} overlaps or precedes the span before it {spans[-1]!r}")
        spans.append((max(start_s, 0.0), min(end_s, duration_s)))
    return spans


def _windows(
    *, samples: np.ndarray, sample_rate_hz: int, spans_s: list[tuple[float, float]], window_s: float, hop_s: float
) -> _Windows:
    starts: list[float] = []
    ends: list[float] = []
    owners: list[int] = []
    rows: list[np.ndarray] = []
    for index, (span_start_s, span_end_s) in enumerate(spans_s):
        frame_times_s, mfcc, semitones = _frames(
            samples=samples, sample_rate_hz=sample_rate_hz, start_s=span_start_s, end_s=span_end_s
        )
        for w_start_s, w_end_s in _window_bounds(
            start_s=span_start_s, end_s=span_end_s, window_s=window_s, hop_s=hop_s
        ):
            inside = (frame_times_s >= w_start_s) & (frame_times_s < w_end_s)
            if not inside.any():
                inside[np.argmin(np.abs(frame_times_s - (w_start_s + w_end_s) / 2))] = True
            voiced = semitones[inside][np.isfinite(semitones[inside])]
            pitch = float(np.median(voiced)) if voiced.size else np.nan
            rows.append(np.concatenate([mfcc[inside].mean(axis=0), [pitch]]))
            starts.append(w_start_s)
            ends.append(w_end_s)
            owners.append(index)
    features = np.asarray(rows, dtype=np.float64)
    pitch_column = features[:, -1]
    fill = np.nanmedian(pitch_column) if np.isfinite(pitch_column).any() else 0.0
    features[:, -1] = np.where(np.isfinite(pitch_column), pitch_column, fill)
    spread = features.std(axis=0)
    features = (features - features.mean(axis=0)) / np.where(spread > 1e-9, spread, 1.0)
    features[:, -1] *= _PITCH_WEIGHT
    n_reference = min(len(rows), sum(max(1, int(2 * (e - s) / window_s)) for s, e in spans_s))
    return _Windows(np.asarray(starts), np.asarray(ends), np.asarray(owners), features, n_reference)


def _window_bounds(*, start_s: float, end_s: float, window_s: float, hop_s: float) -> list[tuple[float, float]]:
    """Windows of ``window_s`` spread evenly over the span; one window for a span shorter than that."""
    duration_s = end_s - start_s
    if duration_s <= window_s:
        return [(start_s, end_s)]
    count = math.ceil((duration_s - window_s) / hop_s) + 1
    return [(float(s), float(s) + window_s) for s in np.linspace(start_s, end_s - window_s, count)]


def _frames(
    *, samples: np.ndarray, sample_rate_hz: int, start_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame times (n,), MFCC 1.. (n, _N_MFCC - 1) and voiced pitch in semitones re 100 Hz (n,), NaN if unvoiced."""
    import librosa  # heavy import, deferred (MFCCs: only mono calls that may hold two voices get here)

    hop = max(1, round(_FRAME_HOP_S * sample_rate_hz))
    n_fft = 1 << max(6, math.ceil(math.log2(0.025 * sample_rate_hz)))
    pitch_frame = 1 << max(6, math.ceil(math.log2(2.5 * sample_rate_hz / _FMIN_HZ)))
    first = int(start_s * sample_rate_hz)
    y = samples[first : max(int(end_s * sample_rate_hz), first + 1)].astype(np.float32)
    y = np.pad(y, (0, max(0, pitch_frame - y.size)))
    mfcc = librosa.feature.mfcc(y=y, sr=sample_rate_hz, n_mfcc=_N_MFCC, n_fft=n_fft, hop_length=hop, n_mels=40)
    f0 = yin_f0_hz(
        y,
        sample_rate_hz=sample_rate_hz,
        frame_length=pitch_frame,
        hop_length=hop,
        fmin_hz=_FMIN_HZ,
        fmax_hz=min(_FMAX_HZ, sample_rate_hz / 4),
    )
    rms = frame_rms(y, frame_length=n_fft, hop_length=hop)
    zcr = zero_crossing_rate(y, frame_length=n_fft, hop_length=hop)
    n = min(mfcc.shape[1], f0.size, rms.size, zcr.size)
    loud = rms[:n] > 0.1 * max(float(np.percentile(rms[:n], 95)), 1e-8)
    voiced = loud & (zcr[:n] < 0.2) & (f0[:n] > _FMIN_HZ * 1.05) & (f0[:n] < _FMAX_HZ * 0.95)
    semitones = np.where(voiced, 12.0 * np.log2(np.maximum(f0[:n], 1e-3) / 100.0), np.nan)
    times_s = start_s + np.arange(n) * hop / sample_rate_hz
    keep = times_s < end_s
    keep[0] = True
    return times_s[keep], mfcc[1:, :n].T[keep], semitones[keep]


def _cluster(*, features: np.ndarray, weights_s: np.ndarray, n_reference: int) -> tuple[np.ndarray, float]:
    """Two-way k-means labels (n_windows,) and the silhouette excess over one-voice Gaussian splits.

    ``features`` has shape (n_windows, n_features); ``n_reference`` is the sample size of the Gaussian reference.
    """
    from sklearn.cluster import KMeans

    if features.shape[0] < 4 or n_reference < 4:
        return np.zeros(features.shape[0], dtype=int), 0.0
    labels = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(features, sample_weight=weights_s)
    if np.unique(labels).size < 2:
        return labels, 0.0
    rng = np.random.default_rng(0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(features.T))
    mixing = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    reference = []
    for repeat in range(_NULL_REPEATS):
        gaussian = rng.standard_normal((n_reference, features.shape[1])) @ mixing.T
        split = KMeans(n_clusters=2, n_init=3, random_state=repeat).fit_predict(gaussian)
        reference.append(_silhouette(gaussian, split))
    return labels, _silhouette(features, labels) - float(np.mean(reference))


def _silhouette(features: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (−1…1) of a two-way split, on at most _MAX_SILHOUETTE_SAMPLES rows; 0 if degenerate."""
    from sklearn.metrics import silhouette_score

    if np.unique(labels).size < 2 or labels.size < 3:
        return 0.0
    sample_size = min(labels.size, _MAX_SILHOUETTE_SAMPLES)
    return float(silhouette_score(features, labels, sample_size=sample_size, random_state=0))


def _turns(*, spans_s: list[tuple[float, float]], windows: _Windows, labels: np.ndarray) -> tuple[DiarizedTurn, ...]:
    pieces: list[tuple[float, float, int]] = []
    for index, (span_start_s, span_end_s) in enumerate(spans_s):
        mine = np.flatnonzero(windows.span_index == index)
        centres_s = (windows.starts_s[mine] + windows.ends_s[mine]) / 2
        span_labels = _majority_smooth(labels[mine])
        segments: list[list[float]] = [[span_start_s, span_end_s, float(span_labels[0])]]
        for k in range(1, mine.size):
            if span_labels[k] != segments[-1][2]:
                cut_s = float(centres_s[k - 1] + centres_s[k]) / 2
                segments[-1][1] = cut_s
                segments.append([cut_s, span_end_s, float(span_labels[k])])
        pieces.extend((s, e, int(lab)) for s, e, lab in _absorb_short(segments))
    first = pieces[0][2]
    return tuple(DiarizedTurn(start_s=s, end_s=e, speaker_index=int(lab != first)) for s, e, lab in pieces)


def _majority_smooth(labels: np.ndarray) -> np.ndarray:
    """Majority vote over each label and its two neighbours, shape (n,)."""
    if labels.size < 3:
        return labels
    padded = np.concatenate([labels[:1], labels, labels[-1:]])
    votes = padded[:-2] + padded[1:-1] + padded[2:]
    return (votes >= 2).astype(labels.dtype)


def _absorb_short(segments: list[list[float]]) -> list[list[float]]:
    """Give segments shorter than the minimum turn (inside one span) to their longer neighbour."""
    while len(segments) > 1:
        lengths = [e - s for s, e, _ in segments]
        k = int(np.argmin(lengths))
        if lengths[k] >= _MIN_TURN_S:
            break
        later_is_longer = k + 1 < len(segments) and (k == 0 or lengths[k + 1] > lengths[k - 1])
        neighbour = k + 1 if later_is_longer else k - 1
        segments[k][2] = segments[neighbour][2]
        merged: list[list[float]] = [segments[0]]
        for seg in segments[1:]:
            if seg[2] == merged[-1][2]:
                merged[-1] = [merged[-1][0], seg[1], seg[2]]
            else:
                merged.append(seg)
        segments = merged
    return segments

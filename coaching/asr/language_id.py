"""Which allowed language a channel's speech is in, with Whisper's language identification and a decoding check.

Whisper's identification is taken when an allowed language gets at least :data:`CONFIDENT_LANGUAGE_PROBABILITY`.
Otherwise (Whisper takes Swedish for Latin, Norwegian or English) each allowed language decodes the speech of the
first :data:`DECODE_CHECK_S` seconds and the decoding that is most probable wins; a decoding that loops (gzip
compression ratio over :data:`LOOP_COMPRESSION_RATIO`, Whisper's own failure test) loses. Both steps take the
channel's speech from the VAD pass the transcription shares (:mod:`coaching.asr.speech`), so neither runs the VAD,
and identification encodes the very windows transcription will (:func:`transcription_features`), which the model
encodes once (:mod:`coaching.asr.shared_encoding`); the check's candidates share their one window too.

Measured with the packaged base model: the espeak Finnish fi_poor agent channel gets fi 0.385 (et 0.32): decoded,
Swedish "mat, mat, mat, ..." scored best (-0.21 against fi -0.91) and the whole call was transcribed as Swedish;
the loop test rejects it, so fi. sv_good, sv_poor: top "la" (0.53-0.79), decoded: sv. Real Finnish: fi 0.99-1.00.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

CONFIDENT_LANGUAGE_PROBABILITY = 0.5
DETECTION_SEGMENTS = 3  # 30 s windows of speech, until one is confident (faster-whisper's loop)
DETECTION_THRESHOLD = 0.5  # faster-whisper's language_detection_threshold: a window this sure ends its loop
DECODE_CHECK_S = 30.0
DECODE_TEMPERATURE = 10.0  # softmax temperature turning mean log-probabilities into a probability
LOOP_COMPRESSION_RATIO = 2.4  # faster-whisper's compression_ratio_threshold
DECODE_CHECK_MAX_TOKENS = 128  # a loop runs on to Whisper's 448 tokens; 30 s of speech rarely needs 128


def identify_language(
    model: Any, *, speech: np.ndarray, check_speech: np.ndarray, candidates: Sequence[str]
) -> tuple[str, float]:
    """Most likely of ``candidates`` (two or more) for ``speech`` (16 kHz, speech only) and its probability;
    ``check_speech`` (at most 30 s) is what the decoding check decodes. ``model``: a faster-whisper WhisperModel."""
    features = transcription_features(model, speech)
    _, top_probability, all_probs = model.detect_language(features=features)
    if top_probability <= DETECTION_THRESHOLD:  # faster-whisper's loop goes on to the next windows only then
        _, _, all_probs = model.detect_language(features=features, language_detection_segments=DETECTION_SEGMENTS)
    scores = {lang: float(prob) for lang, prob in all_probs if lang in candidates}
    best = max(candidates, key=lambda lang: scores.get(lang, 0.0))
    if scores.get(best, 0.0) >= CONFIDENT_LANGUAGE_PROBABILITY:
        return best, scores[best] / (sum(scores.values()) or 1.0)
    logprobs = decoding_logprobs(model, speech=check_speech, candidates=candidates)
    logger.info("language by decoding: %s", {k: round(v, 3) for k, v in logprobs.items()})
    weights = np.exp(np.array([logprobs[lang] for lang in candidates]) * DECODE_TEMPERATURE)
    best = max(candidates, key=lambda lang: logprobs[lang])
    return best, float(weights[list(candidates).index(best)] / weights.sum())


def transcription_features(model: Any, speech: np.ndarray) -> np.ndarray:
    """Log-mel features of ``speech`` as ``model.transcribe`` computes and cuts them (over the whole signal, the
    last frame never decoded), so identification's first window is transcription's first window, to the bit."""
    features: np.ndarray = model.feature_extractor(speech)
    return features[..., :-1]


def decoding_logprobs(model: Any, *, speech: np.ndarray, candidates: Sequence[str]) -> dict[str, float]:
    """Mean log-probability of a greedy decoding of ``speech`` (at most 30 s, speech only) in each candidate language
    (segments weighted by their text length; the candidates side by side on the model's workers); minus infinity
    for an empty decoding or one that loops."""

    def logprob(language: str) -> float:
        segments, _ = model.transcribe(
            speech,
            language=language,
            beam_size=1,
            temperature=0.0,
            without_timestamps=True,
            condition_on_previous_text=False,
            max_new_tokens=DECODE_CHECK_MAX_TOKENS,
        )
        decoded = list(segments)
        scored = [(s.avg_logprob, max(len(s.text), 1)) for s in decoded]
        looped = any(s.compression_ratio > LOOP_COMPRESSION_RATIO for s in decoded)
        mean = sum(lp * n for lp, n in scored) / sum(n for _, n in scored) if scored else -np.inf
        return -np.inf if looped else mean

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="language-check") as pool:
        return dict(zip(candidates, pool.map(logprob, candidates), strict=True))

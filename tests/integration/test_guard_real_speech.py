"""The hallucination guard on real Finnish speech (../shared/real-speech-dev, local only; skipped when absent):
it never drops a word the reference holds, and it never makes a clip's character error rate worse.

Run with the packaged base model (the model that invented "Katsotaan." after the last word of two clips).
"""

from __future__ import annotations

from collections import Counter

import pytest

from audio_samples.real_speech import REAL_SPEECH_DIR, load_real_clips
from coaching.analysis.evaluation import character_error_rate, normalise
from coaching.asr.guard import guard_segments
from coaching.asr.transcriber import AsrSegment, WhisperTranscriber
from coaching.audio.decode import decode_audio
from coaching.speakers.vad import speech_spans_from_vad
from tests.speech_helpers import SpeechModel

CLIPS = {clip.name: clip for clip in load_real_clips()}

pytestmark = pytest.mark.skipif(
    not CLIPS, reason=f"no real speech at {REAL_SPEECH_DIR} (local evaluation data, not in CI)"
)


def text_of(segments: tuple[AsrSegment, ...]) -> str:
    return " ".join(s.text for s in segments)


@pytest.mark.parametrize("clip", sorted(CLIPS) or ["none"])
def test_the_guard_loses_no_real_word(
    clip: str, sample_model: SpeechModel, sample_transcriber: WhisperTranscriber
) -> None:
    real = CLIPS[clip]
    language, reference = real.language, real.reference
    sample_model.require(language)
    audio = decode_audio(real.path, max_file_bytes=1 << 30, max_duration_s=600)
    samples = audio.channel(0)
    segments = sample_transcriber.transcribe(samples=samples, language=language)
    result = guard_segments(segments, speech_spans_from_vad(samples=samples, sample_rate_hz=audio.sample_rate_hz))
    wanted = Counter(normalise(reference, language=language))
    kept = Counter(normalise(text_of(result.segments), language=language))
    before = Counter(normalise(text_of(segments), language=language))
    lost = {token: n for token, n in wanted.items() if min(before[token], n) > min(kept[token], n)}
    assert not lost, f"{clip}: the guard dropped real words {lost}"
    cer_before = character_error_rate(reference=reference, hypothesis=text_of(segments), language=language)
    cer_after = character_error_rate(reference=reference, hypothesis=text_of(result.segments), language=language)
    assert cer_after <= cer_before + 1e-9

"""The product's decoding defaults on real Finnish speech: never worse than the raw faster-whisper engine.

Reads the local dev set ``../shared/real-speech-dev`` (real recordings, never copied into the project) and skips
with the reason where it is absent (CI). Two clips (the studio one and its 8 kHz telephone copy, about 30 s each)
go through ``WhisperTranscriber.transcribe`` the way the pipeline calls it and through plain faster-whisper on the
same loaded model; the full comparison per decoding option is ``bench/bench_real_speech.py``.
"""

from __future__ import annotations

import pytest

from audio_samples.real_speech import REAL_SPEECH_DIR, load_real_clips, raw_engine_text, real_speech_available
from coaching.analysis.evaluation import character_error_rate
from coaching.asr.transcriber import WhisperTranscriber
from coaching.audio.decode import decode_audio
from tests.speech_helpers import SpeechModel

CLIPS = ("dev_fi_01", "dev_fi_01_8k_ulaw")
MARGIN_CER = 0.01  # machines differ in the last digit of a float; a real regression (-kuu → -ku) costs 0.05 or more


@pytest.mark.skipif(
    not real_speech_available(),
    reason=f"real-speech dev set not found at {REAL_SPEECH_DIR} (local evaluation only; never in CI or the repo)",
)
@pytest.mark.parametrize("name", CLIPS)
def test_product_decoding_is_no_worse_than_the_raw_engine_on_real_finnish(
    sample_model: SpeechModel, sample_transcriber: WhisperTranscriber, name: str
) -> None:
    sample_model.require("fi")
    clip = next(c for c in load_real_clips() if c.name == name)
    audio = decode_audio(clip.path, max_file_bytes=50_000_000, max_duration_s=600.0)
    product = " ".join(s.text for s in sample_transcriber.transcribe(samples=audio.channel(0), language="fi"))
    raw = raw_engine_text(sample_transcriber._model, str(clip.path), language="fi")  # the same loaded weights
    product_cer = character_error_rate(reference=clip.reference, hypothesis=product, language="fi")
    raw_cer = character_error_rate(reference=clip.reference, hypothesis=raw, language="fi")
    print(f"{name}: product CER {product_cer:.3f}, raw engine CER {raw_cer:.3f}")
    assert product_cer <= raw_cer + MARGIN_CER, f"product {product!r}\nraw {raw!r}"
    assert product_cer <= 0.15, product  # the base model reads these studio words nearly right (raw: 0.02-0.06)

"""How the product's decoding options become faster-whisper arguments (no model is loaded)."""

from __future__ import annotations

from coaching.asr.transcriber import AUTO_VOCABULARY, DecodingOptions, decoding_kwargs, domain_vocabulary


def test_vocabulary_reaches_the_model_as_prompt_or_hotwords_only_when_asked() -> None:
    words = " ".join(domain_vocabulary("fi"))
    prompt = decoding_kwargs(DecodingOptions(vocabulary="prompt"), language="fi")
    hotwords = decoding_kwargs(DecodingOptions(vocabulary="hotwords"), language="fi")
    none = decoding_kwargs(DecodingOptions(vocabulary="none"), language="fi")
    assert prompt["initial_prompt"] == words and "hotwords" not in prompt
    assert hotwords["hotwords"] == words and "initial_prompt" not in hotwords
    assert "initial_prompt" not in none and "hotwords" not in none


def test_auto_follows_the_measured_choice_per_language() -> None:
    for language, mode in AUTO_VOCABULARY.items():
        auto = decoding_kwargs(DecodingOptions(vocabulary="auto"), language=language)
        assert ("initial_prompt" in auto) == (mode == "prompt"), language
        assert ("hotwords" in auto) == (mode == "hotwords"), language


def test_vad_and_beam_options_are_passed_through() -> None:
    on = decoding_kwargs(DecodingOptions(beam_size=1, vad_min_silence_ms=700, vad_speech_pad_ms=300), language="sv")
    assert on["beam_size"] == 1 and on["vad_filter"] is True
    assert on["vad_parameters"] == {"min_silence_duration_ms": 700, "speech_pad_ms": 300}
    off = decoding_kwargs(DecodingOptions(vad=False), language="sv")
    assert off["vad_filter"] is False and "vad_parameters" not in off
    # the product always needs word times and never conditions on its own earlier (possibly invented) text
    assert on["word_timestamps"] is True and on["condition_on_previous_text"] is False

"""coaching.redaction on fixed transcripts (placeholder words span the words they replace; the spans for the
audio) and on audio (a tone over the padded spans, every channel, nothing else touched)."""

from __future__ import annotations

import numpy as np
import pytest

from coaching.models import DecodedAudio, Segment, SpeechSpan, Transcript, Word
from coaching.redaction import RedactedSpan, RedactionPolicy, redact_transcript, tone_over
from coaching.redaction.audio import PAD_S, TONE_HZ, padded_spans

RATE_HZ = 16_000


def _words(text: str, *, start_s: float, step_s: float = 0.4) -> tuple[Word, ...]:
    return tuple(
        Word(" " + token, round(start_s + i * step_s, 3), round(start_s + i * step_s + 0.3, 3), 0.9 - 0.01 * i)
        for i, token in enumerate(text.split())
    )


def _segment(speaker: str, text: str, start_s: float, *, timed: bool = True) -> Segment:
    words = _words(text, start_s=start_s)
    return Segment(speaker, start_s, words[-1].end_s, text, words if timed else ())  # type: ignore[arg-type]


def _transcript(language: str, *segments: Segment) -> Transcript:
    spans = tuple(SpeechSpan(s.speaker, s.start_s, s.end_s) for s in segments)
    return Transcript(language, tuple(segments), spans, "left")


def test_a_spoken_card_becomes_one_placeholder_word_over_its_times() -> None:
    agent = _segment("agent", "what is the card number please", 0.0)
    customer = _segment("customer", "it is four one one one 1111 1111 1111 thanks", 3.0)
    result = redact_transcript(_transcript("en", agent, customer))
    redacted = result.transcript.segments[1]
    assert redacted.text == "it is [CARD] thanks"
    card = redacted.words[2]
    original = customer.words
    assert (card.word, card.start_s, card.end_s) == (" [CARD]", original[2].start_s, original[8].end_s)
    assert card.probability == min(w.probability for w in original[2:9])
    assert redacted.words[-1] == original[-1]  # the words around keep their timing
    assert result.transcript.segments[0] == agent  # nothing to redact: the same segment
    assert result.spans == (RedactedSpan("card", "customer", original[2].start_s, original[8].end_s),)


def test_a_number_said_over_two_segments_of_one_speaker_is_found() -> None:
    first = _segment("customer", "my number is nolla neljä nolla yksi kaksi", 0.0)
    agent = _segment("agent", "joo", 2.5)
    second = _segment("customer", "kolme neljä viisi kuusi seitsemän kiitos", 3.0)
    result = redact_transcript(_transcript("fi", first, agent, second))
    texts = [s.text for s in result.transcript.segments]
    assert texts == ["my number is [PHONE]", "joo", "[PHONE] kiitos"]
    [span] = result.spans
    assert (span.kind, span.start_s, span.end_s) == ("phone", first.words[3].start_s, second.words[4].end_s)


def test_a_long_pause_ends_a_number() -> None:
    first = _segment("customer", "nolla neljä nolla yksi kaksi", 0.0)
    second = _segment("customer", "kolme neljä viisi kuusi seitsemän", 30.0)
    result = redact_transcript(_transcript("fi", first, second))
    assert result.spans == ()


def test_invalid_ids_in_a_transcript_stay_and_valid_ones_go() -> None:
    segment = _segment("customer", "tunnus 131052-308U tai 131052-308T", 0.0)
    result = redact_transcript(_transcript("fi", segment))
    assert result.transcript.segments[0].text == "tunnus 131052-308U tai [PERSONAL_ID]"
    assert [s.kind for s in result.spans] == ["personal_id"]


def test_a_segment_without_word_timings_is_redacted_whole_in_time() -> None:
    segment = _segment("customer", "email anna.virtanen@example.com kiitos", 1.0, timed=False)
    result = redact_transcript(_transcript("fi", segment))
    redacted = result.transcript.segments[0]
    assert (redacted.text, redacted.words) == ("email [EMAIL] kiitos", ())
    assert [(s.start_s, s.end_s) for s in result.spans] == [(segment.start_s, segment.end_s)]


def test_names_and_the_off_switch() -> None:
    segment = _segment("agent", "hello mister Lindqvist how are you", 0.0)
    transcript = _transcript("en", segment)
    named = redact_transcript(transcript, RedactionPolicy(names=frozenset({("lindqvist",)})))
    assert named.transcript.segments[0].text == "hello mister [NAME] how are you"
    assert redact_transcript(transcript).transcript == transcript
    off = redact_transcript(_transcript("en", _segment("customer", "4111 1111 1111 1111", 0.0)), RedactionPolicy(False))
    assert off.spans == () and "4111" in off.transcript.segments[0].text


def _peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / RATE_HZ)[int(np.argmax(spectrum))])


def test_the_tone_covers_the_padded_spans_on_every_channel() -> None:
    t = np.arange(4 * RATE_HZ) / RATE_HZ
    left, right = 0.3 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sin(2 * np.pi * 330 * t)
    audio = DecodedAudio(np.stack([left, right]).astype(np.float32), RATE_HZ, "ab" * 32, "wav")
    toned = tone_over(audio, [RedactedSpan("card", "customer", 1.0, 2.0)])
    assert toned.sha256 == audio.sha256 and toned.samples.shape == audio.samples.shape
    a, b = int((1.0 - PAD_S) * RATE_HZ), int((2.0 + PAD_S) * RATE_HZ)
    for channel, own_hz in ((0, 220), (1, 330)):
        inside = toned.samples[channel, a + 200 : b - 200]
        assert _peak_hz(inside) == pytest.approx(TONE_HZ, abs=5)
        assert 0.05 < np.abs(inside).max() <= 0.11  # a moderate level
        before, after = toned.samples[channel, : a - 1], toned.samples[channel, b + 1 :]
        assert _peak_hz(before) == pytest.approx(own_hz, abs=5) and _peak_hz(after) == pytest.approx(own_hz, abs=5)
        np.testing.assert_array_equal(before, audio.samples[channel, : a - 1])
    assert tone_over(audio, []) is audio


def test_padded_spans_merge_and_stay_inside_the_call() -> None:
    spans = [
        RedactedSpan("phone", "customer", 0.1, 0.5),
        RedactedSpan("card", "customer", 0.7, 1.0),
        RedactedSpan("email", "agent", 2.9, 3.5),
    ]
    assert padded_spans(spans, duration_s=3.2) == [(0.0, pytest.approx(1.2)), (pytest.approx(2.7), 3.2)]


@pytest.mark.parametrize(
    "pieces",
    [
        (" My", " email", " is", " john", ".smith", " at", " gmail", ".com."),
        (" My", " email", " is", " john", ".smithatgmail", ".com."),
    ],
)
def test_recogniser_words_without_a_space_continue_the_word_before(pieces: tuple[str, ...]) -> None:
    words = tuple(Word(p, 0.5 * i, 0.5 * i + 0.4, 0.8) for i, p in enumerate(pieces))
    segment = Segment("customer", 0.0, words[-1].end_s, "".join(pieces).strip(), words)
    result = redact_transcript(_transcript("en", segment))
    redacted = result.transcript.segments[0]
    assert redacted.text == "My email is [EMAIL]."
    assert (redacted.words[-1].start_s, redacted.words[-1].end_s) == (words[3].start_s, words[-1].end_s)

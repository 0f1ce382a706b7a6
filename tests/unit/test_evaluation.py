import pytest

from coaching.analysis.evaluation import character_error_rate, normalise, word_error_rate


def test_normalise_lowercases_strips_punctuation_and_writes_english_numbers_as_digits() -> None:
    assert normalise("So we agree: fifty-five euros, on the First!", language="en") == [
        "so", "we", "agree", "55", "euros", "on", "the", "first",
    ]  # fmt: skip
    assert normalise("Sovitaan viisikymmentä euroa.", language="fi") == ["sovitaan", "viisikymmentä", "euroa"]


def test_word_error_rate_counts_substitutions_insertions_and_deletions() -> None:
    assert word_error_rate(reference="a b c d", hypothesis="a x c", language="en") == pytest.approx(0.5)
    assert word_error_rate(reference="pay fifty euros", hypothesis="Pay 50 euros.", language="en") == 0.0


def test_character_error_rate() -> None:
    assert character_error_rate(reference="maksu", hypothesis="maksa", language="fi") == pytest.approx(0.2)

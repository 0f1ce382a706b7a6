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


def test_normalisation_for_cer_is_nfc_lower_case_punctuation_as_spaces_and_counts_spaces() -> None:
    # the real-speech dev set's scoring (its README): NFC, lower case, punctuation → space, whitespace collapsed
    decomposed = "Kylma\u0308,  HUNAJA!"  # "ä" as a + combining diaeresis
    assert normalise(decomposed, language="fi") == ["kylmä", "hunaja"]
    assert character_error_rate(reference="kylmä hunaja", hypothesis=decomposed, language="fi") == 0.0
    assert character_error_rate(reference="polku-pyörä", hypothesis="polku pyörä.", language="fi") == 0.0
    # a space is a character: "huna ja" for "hunaja" is one insertion in 12 characters
    assert character_error_rate(reference="kylmä hunaja", hypothesis="kylmä huna ja", language="fi") == pytest.approx(
        1 / 12
    )
    assert character_error_rate(reference="tammikuu", hypothesis="tammiku", language="fi") == pytest.approx(1 / 8)

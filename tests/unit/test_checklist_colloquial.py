"""Spoken Finnish and Swedish in whole calls: everyday goodbyes pass, backchannels and greetings do not (issue 11)."""

from __future__ import annotations

import pytest

from coaching.checklist import score_checklist
from tests.unit.test_checklist_helpers import call

PUHEKIELI = [
    ("agent", "Moi, mä oon Jenni Perintä Oy:stä, millä mä voin auttaa?"),
    ("customer", "Mä jäin työttömäks ja mul ei oo varaa maksaa."),
    ("agent", "Voi harmi, kuulostaa tosi rankalta. Kerro vaan rauhassa lisää."),
    ("customer", "No, rahat on ihan loppu."),
    ("agent", "Voitais tehdä maksusuunnitelma. Kävisikö sulle viiskyt euroo kuussa?"),
    ("customer", "Joo, käy."),
    ("agent", "Selvä homma, eli sä maksat viiskyt euroo kuussa. Mä laitan sulle vahvistuksen tekstarilla."),
    ("customer", "Okei."),
    ("agent", "Oliks muuta?"),
    ("customer", "Ei, kiitti."),
    ("agent", "Kiitos! Hei hei!"),
]

TALSPRAK = [
    ("agent", "Hejsan, det är Lisa på Inkasso AB, vad kan jag hjälpa dig med?"),
    ("customer", "Jag blev sjuk och har inga pengar just nu."),
    ("agent", "Usch, vad jobbigt. Berätta mer."),
    ("customer", "Det har varit tufft."),
    ("agent", "Vi kan göra en avbetalningsplan. Skulle det funka för dig med femtio euro i månaden?"),
    ("customer", "Ja."),
    ("agent", "Toppen, så vi säger femtio euro i månaden. Jag smsar dig en bekräftelse."),
    ("customer", "Okej."),
    ("agent", "Var det nåt mer?"),
    ("customer", "Nej, tack."),
    ("agent", "Tack ska du ha, hej då!"),
]

PHRASE_ITEMS = ("greeting", "listening", "acknowledge", "options", "agreement", "next_steps", "check", "closing")


@pytest.mark.parametrize(("language", "turns"), [("fi", PUHEKIELI), ("sv", TALSPRAK)])
def test_a_good_call_in_spoken_language_passes_every_phrase_item(language: str, turns: list[tuple[str, str]]) -> None:
    result = score_checklist(transcript=call(language, turns), metrics=None, semantic=None)
    failed = [item for item in PHRASE_ITEMS if result.item(item).passed is not True]
    assert failed == []
    assert result.item("no_blame").passed is True


@pytest.mark.parametrize(
    ("language", "goodbye"),
    [
        ("fi", "Kiitos! Hei hei!"),
        ("fi", "Kiitti, moikka!"),
        ("fi", "Okei, kiitos, kuulemiin."),
        ("sv", "Tack ska du ha, hej då!"),
        ("sv", "Tack, hej hej!"),
        ("sv", "Okej tack, ha det bra."),
    ],
)
def test_everyday_phone_goodbye_passes_closing_with_its_words_as_evidence(language: str, goodbye: str) -> None:
    turns = [
        ("agent", "Summa on maksettu." if language == "fi" else "Beloppet är betalt."),
        ("customer", "Ok."),
        ("agent", goodbye),
    ]
    closing = score_checklist(transcript=call(language, turns), metrics=None, semantic=None).item("closing")
    assert closing.passed is True
    assert closing.evidence and closing.evidence[0].quote.lower().strip("!.,") in goodbye.lower()


@pytest.mark.parametrize(
    ("language", "last_words"),
    [
        ("fi", "Kiitti, mikä sun puhelinnumero on?"),
        ("fi", "Hyvää päivää, miten voin auttaa?"),
        ("sv", "Tack, vad är ditt telefonnummer?"),
        ("sv", "Hej, det är Jenny på Lowell."),
    ],
)
def test_thanks_in_passing_or_a_greeting_is_not_a_goodbye(language: str, last_words: str) -> None:
    turns = [("agent", last_words)]
    assert (
        score_checklist(transcript=call(language, turns), metrics=None, semantic=None).item("closing").passed is False
    )


@pytest.mark.parametrize(("language", "backchannel"), [("fi", "Joo. Okei. Selvä."), ("sv", "Mm. Okej. Japp. Precis.")])
def test_backchannels_are_neither_acknowledgement_nor_agreement(language: str, backchannel: str) -> None:
    hardship = "Mä jäin työttömäks." if language == "fi" else "Jag blev arbetslös."
    turns = [("customer", hardship), ("agent", backchannel)]
    result = score_checklist(transcript=call(language, turns), metrics=None, semantic=None)
    assert result.item("acknowledge").passed is False
    assert result.item("agreement").passed is False

"""coaching.redaction on text: valid identifiers are replaced by their placeholder, invalid ones (a wrong checksum)
are not, in fi, sv and en, written, split into digit groups and spoken as words."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdnum import iban, luhn
from stdnum.fi import hetu
from stdnum.se import personnummer

from coaching.errors import SettingsError
from coaching.redaction import PLACEHOLDERS, RedactionPolicy, redact_text, redaction_policy
from coaching.redaction.identifiers import identifier_kind, is_personnummer
from coaching.redaction.policy import parse_names
from coaching.redaction.spoken import number_runs
from coaching.settings import RedactionSettings, Settings

# Valid by their checksums (checked below with the validators themselves), and one wrong digit each.
HETU, HETU_BAD = "131052-308T", "131052-308U"
PERSONNUMMER, PERSONNUMMER_BAD = "880320-0016", "880320-0018"
SAMORDNINGSNUMMER, SAMORDNINGSNUMMER_BAD = "701063-2391", "701063-2392"  # day 10 + 60
IBAN_FI, IBAN_FI_BAD = "FI21 1234 5600 0007 85", "FI21 1234 5600 0007 86"
IBAN_GB = "GB82 WEST 1234 5698 7654 32"
CARD, CARD_BAD = "4111 1111 1111 1111", "4111 1111 1111 1112"
CARD_MC = "5555-5555-5555-4444"


def test_the_fixtures_are_what_they_claim() -> None:
    assert hetu.is_valid(HETU) and not hetu.is_valid(HETU_BAD)
    assert personnummer.is_valid(PERSONNUMMER) and not personnummer.is_valid(PERSONNUMMER_BAD)
    assert not personnummer.is_valid(SAMORDNINGSNUMMER)  # stdnum knows no samordningsnummer: our own rule
    assert luhn.is_valid(SAMORDNINGSNUMMER.replace("-", "")) and not luhn.is_valid(
        SAMORDNINGSNUMMER_BAD.replace("-", "")
    )
    assert iban.is_valid(IBAN_FI) and iban.is_valid(IBAN_GB) and not iban.is_valid(IBAN_FI_BAD)
    assert luhn.is_valid(CARD.replace(" ", "")) and not luhn.is_valid(CARD_BAD.replace(" ", ""))


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("fi", f"Henkilötunnukseni on {HETU}, kiitos.", "personal_id"),
        ("fi", "Tunnus on 131052A308T.", "personal_id"),  # century sign A (2000s): the same check character
        ("sv", f"Mitt personnummer är {PERSONNUMMER} tack.", "personal_id"),
        ("sv", "Mitt personnummer är 19880320-0016 tack.", "personal_id"),
        ("sv", f"Samordningsnummer {SAMORDNINGSNUMMER}.", "personal_id"),
        ("fi", f"Tilinumero on {IBAN_FI}.", "iban"),
        ("en", f"My account is {IBAN_GB} thanks", "iban"),
        ("en", f"My card number is {CARD} and it expires soon.", "card"),
        ("en", f"It's {CARD_MC}.", "card"),
        ("fi", "Numeroni on 040 123 4567.", "phone"),
        ("sv", "Ring mig på 070-123 45 67.", "phone"),
        ("en", "Call me on +44 7911 123456 please", "phone"),
        ("en", "Call me on (212) 555-1234.", "phone"),
        ("en", "Write to anna.virtanen@example.com.", "email"),
        ("en", "My email address is anna.virtanenatgmail.com.", "email"),  # the spoken "at" glued in
        ("fi", "Sähköposti: email:anna.virtanen@example.fi, kiitos", "email"),
    ],
)
def test_valid_identifiers_are_replaced_by_their_placeholder(language: str, text: str, kind: str) -> None:
    redacted = redact_text(text, language)
    assert PLACEHOLDERS[kind] in redacted  # type: ignore[index]
    if kind == "email":
        assert "@" not in redacted and "virtanen" not in redacted
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
        assert digits not in "".join(ch for ch in redacted if ch.isdigit())
    assert redacted.split()[0] == text.split()[0]  # the words around stay


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", f"Henkilötunnukseni on {HETU_BAD}, kiitos."),
        ("sv", f"Mitt personnummer är {PERSONNUMMER_BAD} tack."),
        ("sv", f"Samordningsnummer {SAMORDNINGSNUMMER_BAD}."),
        ("fi", f"Tilinumero on {IBAN_FI_BAD}."),
        ("en", f"My card number is {CARD_BAD} and it expires soon."),
        ("en", "We agreed on fifty euros on the fifth, invoice 12345678."),
        ("fi", "Sovitaan viisikymmentä euroa kuun viidentenä päivänä 12.3.2024."),
        ("en", "I'm at home dot dot dot."),
        ("sv", "Jag har en fråga om fakturan på 1 250 kronor."),
        ("en", "See www.catalog.com or data.atlas.com for the terms."),
    ],
)
def test_invalid_identifiers_and_ordinary_numbers_stay(language: str, text: str) -> None:
    assert redact_text(text, language) == text


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("en", "four one one one one one one one one one one one one one one one", "card"),
        ("en", "it is 4 1 1 1 1111 1111 1111 thanks", "card"),
        ("en", "five five five five, double five five five, five five five five, four four four four", "card"),
        ("en", "forty one eleven eleven eleven eleven eleven eleven eleven", "card"),
        ("en", "call me on oh four oh one two three four five six seven", "phone"),
        ("fi", "numero on nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän", "phone"),
        ("fi", "nolla nelonen nolla, yks kaks kolme, nelonen vitonen kutonen seiska", "phone"),
        ("sv", "ring noll sju noll ett två tre fyra fem sex sju", "phone"),
        ("fi", "tunnus on kolmetoista kymmenen viisikymmentäkaksi viiva kolme nolla kahdeksan T", "personal_id"),
        ("sv", "det är åttioåtta noll tre tjugo streck noll noll ett sex", "personal_id"),
        ("sv", "det är åttiåtta noll tre tjugo, noll noll sexton", "personal_id"),
        ("en", "it's plus four four seven nine one one one two three four five six", "phone"),
        ("en", "my email is anna dot virtanen at example dot com thanks", "email"),
        ("fi", "sähköposti on anna piste virtanen ät example piste fi", "email"),
        ("sv", "mejlen är anna punkt virtanen snabel-a example punkt se", "email"),
        ("en", "my email is anna.virtanen at example.com", "email"),
    ],
)
def test_spoken_forms_are_redacted(language: str, text: str, kind: str) -> None:
    redacted = redact_text(text, language)
    assert PLACEHOLDERS[kind] in redacted  # type: ignore[index]
    assert len(redacted.split()) < len(text.split())
    left = [sum(ch.isdigit() for u in run for ch in u.text) for run in number_runs(redacted.split(), language)]
    assert max(left, default=0) < 5  # no stretch of the number is left behind
    assert "virtanen" not in redacted


def test_a_spoken_card_with_one_wrong_digit_is_not_a_card() -> None:
    text = "four one one one one one one one one one one one one one one two"
    assert redact_text(text, "en") == text


def test_spoken_numbers_keep_the_words_they_came_from() -> None:
    words = "kortti on neljä yksi yksi yksi 1111 kaksikymmentäkolme ja".split()
    [run] = number_runs(words, "fi")
    assert [u.text for u in run] == ["4", "1", "1", "1", "1111", "23"]
    assert (run[0].start, run[-1].end) == (2, 8)
    [run] = number_runs("twenty three four hundred double five".split(), "en")
    assert "".join(u.text for u in run) == "2340055"


def test_placeholders_keep_the_punctuation_and_spacing_around() -> None:
    assert redact_text(f"Kortti ({CARD}), kiitos.\nSeuraava rivi", "fi") == "Kortti ([CARD]), kiitos.\nSeuraava rivi"
    assert redact_text("", "fi") == ""


def test_bare_ten_digits_that_are_a_phone_number_count_as_one() -> None:
    assert identifier_kind("0401234567") == "phone"
    assert identifier_kind("8506121238") == "personal_id"  # also a valid US number: the checksum wins
    assert identifier_kind("2125551234") == "phone"
    assert identifier_kind("1310523087") is None
    assert identifier_kind("131052308T") == "personal_id"  # the recogniser dropped the century sign
    assert is_personnummer("198803200016") and not is_personnummer("198803200018")


def test_names_on_the_deny_list() -> None:
    names = parse_names("# customers\nAnna Virtanen\n  Lindqvist  # a surname\n\n")
    assert names == {("anna", "virtanen"), ("lindqvist",)}
    policy = RedactionPolicy(names=names)
    assert redact_text("Hei, tässä Anna Virtanen.", "fi", policy) == "Hei, tässä [NAME]."
    assert redact_text("Tack, fru Lindqvist! Lindqvists konto.", "sv", policy) == "Tack, fru [NAME]! [NAME] konto."
    assert redact_text("Anna minulle hetki.", "fi", policy) == "Anna minulle hetki."  # "Anna" alone is not listed
    assert redact_text("Hei Anna Virtanen", "fi") == "Hei Anna Virtanen"  # no deny-list, no names


def test_redaction_off_changes_nothing() -> None:
    text = f"My card number is {CARD}."
    assert redact_text(text, "en", RedactionPolicy(enabled=False)) == text


def test_settings_and_the_deny_list_file(tmp_path: Path) -> None:
    defaults = Settings.from_env({}).redaction
    assert defaults == RedactionSettings(enabled=True, names_path=None, keep_original_audio=False)
    names = tmp_path / "names.txt"
    names.write_text("Matti Meikäläinen\n", encoding="utf-8")
    env = {"COACHING_REDACTION": "off", "COACHING_REDACTION_NAMES": str(names), "COACHING_KEEP_ORIGINAL_AUDIO": "1"}
    settings = RedactionSettings.from_env(env)
    assert (settings.enabled, settings.names_path, settings.keep_original_audio) == (False, names, True)
    assert redaction_policy(settings) == RedactionPolicy(enabled=False)
    policy = redaction_policy(RedactionSettings(names_path=names))
    assert policy.names == {("matti", "meikäläinen")}
    with pytest.raises(SettingsError, match="COACHING_REDACTION="):
        RedactionSettings.from_env({"COACHING_REDACTION": "maybe"})
    with pytest.raises(SettingsError, match="COACHING_REDACTION_NAMES"):
        redaction_policy(RedactionSettings(names_path=tmp_path / "missing.txt"))


def test_file_names_are_redacted_apart_from_their_extension_and_separators() -> None:
    from coaching.redaction import redact_filename

    assert redact_filename("asiakas_131052-308T.mp3") == "asiakas_[PERSONAL_ID].mp3"
    assert redact_filename("call-0401234567.wav") == "call-[PHONE].wav"
    assert redact_filename("notes_about_call.wav") == "notes_about_call.wav"
    assert redact_filename("asiakas_131052-308X.mp3") == "asiakas_131052-308X.mp3"  # wrong check character

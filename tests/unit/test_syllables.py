"""Syllable counts against hand-counted words (fi rule set; sv/en pyphen + vowel groups)."""

from __future__ import annotations

import pytest

from coaching.errors import LanguageDataError
from coaching.language.syllables import count_syllables, count_text_syllables, finnish_syllables

# Hand-counted; the comment names the rule each word exercises.
FINNISH = {
    "kiitos": 2,  # kii-tos: long vowel
    "hyvää": 2,
    "päivää": 2,  # äi diphthong + long vowel
    "ymmärrän": 3,
    "tilanteenne": 4,
    "asiakaspalvelu": 7,  # a-si-a: ia is no diphthong
    "maksusuunnitelma": 6,
    "perintäkulut": 5,
    "viivästyskorko": 5,
    "ulosotto": 4,
    "maksuhäiriömerkintä": 8,  # häi-ri-ö
    "eräpäivä": 4,
    "kuulostaa": 3,
    "hankalalta": 4,
    "tietoja": 3,  # ie in the first syllable
    "luottotiedot": 4,  # ie later, compound start: kept
    "kotien": 3,  # -ien ending: split
    "vaikeuksien": 5,  # vai-ke-uk-si-en
    "työttömyys": 3,
    "sairaus": 3,  # u-final diphthong later, before s: split
    "sairauden": 4,
    "korvauksen": 4,
    "maksuvaikeus": 5,
    "tarjous": 3,
    "rakkaus": 3,
    "velkaneuvonta": 5,  # eu later, not before s/t/d/k: kept
    "yhteistyö": 3,
    "maailma": 3,  # maa-il-ma
    "liian": 2,
    "kauan": 2,  # kau-an
    "hauis": 2,
    "radio": 3,
    "korkeaa": 3,
    "lukea": 3,
    "euro": 2,
    "yö": 1,
    "suomi": 2,
    "tuoli": 2,
    "laulaa": 2,
    "aion": 2,
    "voisitteko": 4,
    "onko": 2,
    "mikä": 2,
    "hei": 1,
    "selvä": 2,
    "joo": 1,
}

ENGLISH = {
    "payment": 2, "plan": 1, "understand": 3, "difficult": 3, "situation": 4, "the": 1, "call": 1, "account": 2,
    "balance": 2, "confirmation": 4, "option": 2, "schedule": 2, "amount": 2, "customer": 3, "service": 2,
    "collection": 3, "arrangement": 3, "reminder": 3, "letter": 2, "thank": 1, "today": 2, "tomorrow": 3,
    "money": 2, "afford": 2, "hospital": 3, "unemployed": 3, "anything": 3, "understanding": 4, "explain": 2,
    "happens": 2, "confirm": 2, "sorry": 2, "make": 1, "made": 1, "time": 1, "little": 2, "able": 2, "people": 2,
    "create": 2, "quiet": 2, "being": 2, "going": 2, "monthly": 2, "minute": 2, "minimum": 3, "statement": 2,
    "reduced": 2, "worried": 2, "relieved": 2, "problem": 2, "possible": 3, "available": 4, "certainly": 3,
    "absolutely": 4, "definitely": 4, "helpful": 2, "wonderful": 3, "whatever": 3, "hello": 2, "goodbye": 2,
    "called": 1, "asked": 1, "wanted": 2, "closes": 2, "lives": 1, "due": 1, "yes": 1, "okay": 2, "overdue": 3,
    "debt": 1, "agreement": 3, "idea": 3, "business": 2,
}  # fmt: skip

SWEDISH = {
    "betalning": 3, "betalningsplan": 4, "faktura": 3, "förfallodag": 4, "inkasso": 3, "ränta": 2, "avgift": 2,
    "skuld": 1, "hjälpa": 2, "förstår": 2, "situation": 4, "precis": 2, "ungefär": 3, "tack": 1, "hej": 1,
    "välkommen": 3, "samtal": 2, "kund": 1, "kunden": 2, "månad": 2, "månadsvis": 3, "kronor": 2, "bekräftelse": 4,
    "brev": 1, "arbetslös": 3, "sjukskriven": 3, "orolig": 3, "självklart": 2, "absolut": 3, "möjlighet": 3,
    "överenskommelse": 6, "adress": 2, "idag": 2, "imorgon": 3, "någonting": 3, "ekonomi": 4, "ekonomiska": 5,
    "personnummer": 4, "telefon": 3, "familj": 2, "egentligen": 4, "tillsammans": 3, "idé": 2, "kommer": 2,
    "hur": 1, "skulle": 2, "berätta": 3, "beskriva": 3, "vilken": 2, "fungerar": 3, "information": 4,
    "problem": 2, "januari": 4, "ja": 1, "okej": 2, "fakturan": 3,
}  # fmt: skip

# Words not used while choosing the method (held out), counted by hand afterwards.
ENGLISH_HELD_OUT = {
    "question": 2, "information": 4, "calling": 2, "manager": 3, "department": 3, "directly": 3, "electricity": 5,
    "expensive": 3, "message": 2, "number": 2, "address": 2, "email": 2, "another": 3, "something": 2,
    "someone": 2, "income": 2, "salary": 3, "holiday": 3, "remember": 3, "letters": 2,
}  # fmt: skip
SWEDISH_HELD_OUT = {
    "räkning": 2, "inkassobolag": 5, "kostnad": 2, "lön": 1, "semester": 3, "förstås": 2, "jättebra": 3,
    "medan": 2, "meddelande": 4, "kontakta": 3, "nästa": 2, "vecka": 2, "betala": 3, "summa": 2, "fråga": 2,
    "hjälp": 1, "dröjsmålsränta": 4, "avbetalning": 4, "trevlig": 2, "dagen": 2,
}  # fmt: skip


@pytest.mark.parametrize(("word", "expected"), sorted(FINNISH.items()))
def test_finnish_rule_set_matches_hand_counts(word: str, expected: int) -> None:
    assert finnish_syllables(word) == expected
    assert count_syllables(word=word, language="fi") == expected


def _accuracy(table: dict[str, int], language: str) -> float:
    return sum(count_syllables(word=w, language=language) == n for w, n in table.items()) / len(table)


def test_english_accuracy_on_hand_counted_words() -> None:
    # measured: 71/73 = 97 % (busi-ness and i-dea miss); held out 20/20
    assert len(ENGLISH) >= 20
    assert _accuracy(ENGLISH, "en") >= 0.95
    assert _accuracy(ENGLISH_HELD_OUT, "en") >= 0.9


def test_swedish_accuracy_on_hand_counted_words() -> None:
    # measured: 56/56 = 100 %; held out 20/20
    assert len(SWEDISH) >= 20
    assert _accuracy(SWEDISH, "sv") >= 0.95
    assert _accuracy(SWEDISH_HELD_OUT, "sv") >= 0.9


def test_whisper_tokens_punctuation_and_case_are_ignored() -> None:
    assert count_syllables(word=" Kiitos,", language="fi") == 2
    assert count_syllables(word=" Hello!", language="en") == 2
    assert count_syllables(word="?", language="en") == 0


def test_vowelless_token_counts_one_and_digits_count_per_digit() -> None:
    assert count_syllables(word=" mm", language="fi") == 1
    assert count_syllables(word="50", language="fi") == 4  # 2 per digit (viisikymmentä is 5)
    assert count_syllables(word="50", language="en") == 3  # ceil(2 * 1.3); "fifty" is 2


def test_hyphenated_compound_counts_parts_apart() -> None:
    # maksu-ohjelma: without the hyphen "uo" would be read as one nucleus
    assert count_syllables(word="maksu-ohjelma", language="fi") == 5


def test_text_sums_words() -> None:
    assert count_text_syllables(text="Hyvää päivää, miten voin auttaa?", language="fi") == 2 + 2 + 2 + 1 + 2  # aut-taa


def test_unsupported_language_is_refused_by_name() -> None:
    with pytest.raises(LanguageDataError, match="'de'"):
        count_syllables(word="Guten", language="de")

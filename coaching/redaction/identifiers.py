"""Which kind of identifier a normalised string is, checked with kept validators (python-stdnum, phonenumbers).

A string is an identifier only when its checksum or numbering plan holds: a card number with a wrong Luhn digit,
or an identity code with a wrong check character, is not one.
"""

from __future__ import annotations

import re
from datetime import date

import phonenumbers
from stdnum import iban, luhn
from stdnum.fi import hetu
from stdnum.se import personnummer

from coaching.redaction.kinds import Kind

PHONE_REGIONS: tuple[str, ...] = ("FI", "SE", "GB")
"""Domestic numbers (starting with the trunk prefix 0) are checked against these numbering plans; numbers with
``+`` or ``00`` against every country's; ten digits starting 2-9 against the US plan."""

CARD_FIRST_DIGITS = "23456"  # the issuer ranges of payment cards (Mastercard 2-series, Amex, Visa, Mastercard, ...)
_HETU_SIGNS = "-+ABCDEFUVWXY"
_HETU = re.compile(r"\d{6}[-+ABCDEFUVWXY]?\d{3}[0-9A-Y]", re.IGNORECASE)
_PERSONNUMMER = re.compile(r"(\d{2})?\d{6}[-+]?\d{4}")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_PHONE = re.compile(r"\+?\d{7,15}")
EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
)


def is_hetu(text: str) -> bool:
    """A Finnish henkilötunnus (temporary numbers 900-999 too); without its century sign when the
    recogniser dropped it (the check character does not depend on the century)."""
    value = text.upper()
    if not _HETU.fullmatch(value):
        return False
    if len(value) == 11:
        return bool(hetu.is_valid(value, allow_temporary=True))
    return any(hetu.is_valid(value[:6] + sign + value[6:], allow_temporary=True) for sign in "-A")


def is_personnummer(text: str) -> bool:
    """A Swedish personnummer, or a samordningsnummer (the day of birth plus 60), with its Luhn digit."""
    if not _PERSONNUMMER.fullmatch(text):
        return False
    if personnummer.is_valid(text):
        return True
    digits = text.replace("-", "").replace("+", "")
    day = int(digits[-6:-4])
    if not 61 <= day <= 91 or not luhn.is_valid(digits[-10:]):
        return False
    month, year = int(digits[-8:-6]), int(digits[:-8][-2:]) + (int(digits[:2]) * 100 if len(digits) == 12 else 2000)
    try:
        date(year, month, day - 60)
    except ValueError:
        return False
    return True


def is_iban(text: str) -> bool:
    value = text.upper().replace("-", "")
    return bool(_IBAN.fullmatch(value)) and bool(iban.is_valid(value))


def is_card(text: str) -> bool:
    """A payment card number: 13-19 digits from a card issuer range, Luhn check digit right."""
    digits = text.replace("-", "")
    return digits.isdigit() and 13 <= len(digits) <= 19 and digits[0] in CARD_FIRST_DIGITS and luhn.is_valid(digits)


def is_phone(text: str, *, us: bool = True) -> bool:
    """A phone number valid in its numbering plan (see :data:`PHONE_REGIONS`); ``us`` False leaves out the US
    plan (where most ten-digit strings are valid)."""
    value = text.replace("-", "")
    if value.startswith("00"):
        value = "+" + value[2:]
    if not _PHONE.fullmatch(value):
        return False
    if value.startswith("+"):
        return _valid_number(value, None)
    if value.startswith("0"):
        return any(_valid_number(value, region) for region in PHONE_REGIONS)
    return us and len(value) == 10 and value[0] in "23456789" and _valid_number(value, "US")


def _valid_number(value: str, region: str | None) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, region)))
    except phonenumbers.NumberParseException:
        return False


def identifier_kind(text: str) -> Kind | None:
    """The kind of a normalised string (``"4111111111111111"``, ``"131052-308T"``, ``"+358401234567"``), or None.

    Identity codes written with their separator come before phone numbers. Bare digits that are both count as a
    phone number when they start with ``0``, ``00`` or ``+`` (a number dialled in Finland, Sweden or the UK, or
    abroad), else as an identity code (its checksum says more than the US numbering plan, where most ten-digit
    strings are valid).
    """
    if not text or text[0] in "-" or text[-1] in "-+":
        return None
    if text[:2].isalpha():
        return "iban" if is_iban(text) else None
    if is_card(text):
        return "card"
    separated = (len(text) > 6 and text[-5] in "-+") or (len(text) == 11 and text[6] in _HETU_SIGNS)
    if separated and (is_hetu(text) or is_personnummer(text)):
        return "personal_id"
    if is_phone(text, us=False):
        return "phone"
    if is_hetu(text) or is_personnummer(text):
        return "personal_id"
    return "phone" if is_phone(text) else None

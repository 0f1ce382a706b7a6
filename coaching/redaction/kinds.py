"""What redaction replaces, with which placeholder, and the records it leaves (no redacted content in them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from coaching.models import Speaker

Kind = Literal["personal_id", "iban", "card", "phone", "email", "name"]

PLACEHOLDERS: dict[Kind, str] = {
    "personal_id": "[PERSONAL_ID]",  # Finnish henkilötunnus, Swedish personnummer and samordningsnummer
    "iban": "[IBAN]",
    "card": "[CARD]",  # payment card numbers
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "name": "[NAME]",  # names on the deny-list
}
"""The one set of placeholders; a redacted word or stretch of words is replaced by one of these."""


@dataclass(frozen=True)
class RedactionPolicy:
    """Whether to redact (``COACHING_REDACTION``) and which names besides identifiers: ``names``, each a tuple
    of lower-case words ("Anna Virtanen" → ("anna", "virtanen")), from the deny-list (``COACHING_REDACTION_NAMES``)."""

    enabled: bool = True
    names: frozenset[tuple[str, ...]] = frozenset()


DEFAULT_POLICY = RedactionPolicy()
"""On, no deny-list: identifiers and e-mail addresses only."""


@dataclass(frozen=True)
class Match:
    """Words ``[start, end)`` of a word list to replace by one word: ``prefix + label + suffix`` (the punctuation
    around the words stays; ``label`` is the placeholder, or the word with placeholders inside it)."""

    start: int
    end: int
    kind: Kind
    label: str
    prefix: str = ""
    suffix: str = ""

    @property
    def text(self) -> str:
        return self.prefix + self.label + self.suffix


@dataclass(frozen=True)
class RedactedSpan:
    """A stretch of the call whose words were redacted: the kind and the times, never the words."""

    kind: Kind
    speaker: Speaker
    start_s: float
    end_s: float

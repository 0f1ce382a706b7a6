"""Redaction: personal identifiers, e-mail addresses and deny-listed names out of transcripts, typed text and audio,
before anything is stored or shown (on by default: ``COACHING_REDACTION``).

Modules
-------
kinds        the kinds and their placeholders (:data:`kinds.PLACEHOLDERS`: ``[PERSONAL_ID]``, ``[IBAN]``, ``[CARD]``,
             ``[PHONE]``, ``[EMAIL]``, ``[NAME]``), :class:`kinds.RedactionPolicy`, :class:`kinds.Match`,
             :class:`kinds.RedactedSpan` (kind, speaker, times; never the words)
spoken       numbers as the recogniser writes them ("neljä yksi", "four one", "4 1 1 1 1111", "tjugotre"), normalised
             per language into digit units that map back to whole words; tables in ``spoken.yaml``
identifiers  validators: henkilötunnus, personnummer / samordningsnummer (python-stdnum), IBAN, payment cards
             (Luhn), phone numbers (phonenumbers); a wrong checksum is no identifier
detect       :func:`detect.find_matches`: identifiers over digit runs, spoken and written e-mail addresses, names
text         :func:`text.redact_text` (free text: comments, corrections, file names), :func:`text.redact_words`
transcript   :func:`transcript.redact_transcript` → :class:`transcript.TranscriptRedaction` (placeholder words span
             the times of the words they replace; the redacted spans for the audio)
audio        :func:`audio.tone_over`: a 1 kHz tone over the redacted spans (padded 0.2 s) on every channel
policy       :func:`policy.redaction_policy` from :class:`coaching.settings.RedactionSettings` (the deny-list file)

Pure functions on frozen dataclasses; nothing here touches the database or writes files.
"""

from __future__ import annotations

from coaching.redaction.audio import tone_over
from coaching.redaction.kinds import PLACEHOLDERS, Kind, RedactedSpan, RedactionPolicy
from coaching.redaction.policy import environment_policy, redaction_policy
from coaching.redaction.text import redact_filename, redact_text
from coaching.redaction.transcript import TranscriptRedaction, redact_transcript

__all__ = [
    "PLACEHOLDERS",
    "Kind",
    "RedactedSpan",
    "RedactionPolicy",
    "TranscriptRedaction",
    "environment_policy",
    "redact_filename",
    "redact_text",
    "redact_transcript",
    "redaction_policy",
    "tone_over",
]

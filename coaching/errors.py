"""One exception root for the whole core; every error the core raises on purpose is defined here.

The CLI and the UI catch :class:`CoachingError` and show ``str(error)`` as one line.
Messages name the bad value.

The tree:

* CoachingError
  * InputError
    * SettingsError
    * AdminError
    * CorrectionError
    * FeedbackError
    * SessionError
  * ConflictError
  * OutputError
  * AudioError
    * EmptyAudioError
    * NotAudioError
    * TruncatedAudioError
    * AudioTooLargeError
    * AudioTooLongError
    * TooManyChannelsError
    * SilentAudioError
  * ModelError
  * StoreError
  * NotFoundError
  * AccessError
  * ChecklistError
  * LanguageDataError
  * SurveyImportError
"""

from __future__ import annotations


class CoachingError(Exception):
    """Root of every error the core raises on purpose."""


class InputError(CoachingError):
    """A value given to the core (form field, option, argument) is not valid."""


class SettingsError(InputError):
    """A setting (environment variable or option) has a bad value."""


class AdminError(InputError):
    """A user, team or preference cannot be saved as given."""


class CorrectionError(InputError):
    """A transcript correction cannot be applied as given."""


class FeedbackError(InputError):
    """A comment, override or response cannot be saved as given."""


class SessionError(InputError):
    """A coaching session, note, action item or rating cannot be saved as given."""


class ConflictError(CoachingError):
    """The request clashes with what is already stored (e.g. a recording stored for another agent)."""


class OutputError(CoachingError):
    """A result cannot be written where it was asked to go."""


class AudioError(CoachingError):
    """Audio input cannot be used."""


class EmptyAudioError(AudioError):
    """The file has no bytes, or no audio samples."""


class NotAudioError(AudioError):
    """The file is not audio that ffmpeg/PyAV can decode."""


class TruncatedAudioError(AudioError):
    """The file ends early and what remains is not usable."""


class AudioTooLargeError(AudioError):
    """The file is over the size limit."""


class AudioTooLongError(AudioError):
    """The audio is over the duration limit."""


class TooManyChannelsError(AudioError):
    """The audio has more than two channels."""


class SilentAudioError(AudioError):
    """The audio holds no speech."""


class ModelError(CoachingError):
    """A speech model cannot be found or loaded."""


class StoreError(CoachingError):
    """The database cannot be reached or is in a bad state."""


class NotFoundError(CoachingError):
    """A requested record does not exist."""


class AccessError(CoachingError):
    """The acting user may not do this."""


class ChecklistError(CoachingError):
    """A checklist file is broken."""


class LanguageDataError(CoachingError):
    """A language is not supported or its data file is broken."""


class SurveyImportError(CoachingError):
    """A survey export cannot be imported."""

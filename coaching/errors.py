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
    * DuplicateRecordingError
    * LeaseLostError
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
    * NotVisibleError
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


class DuplicateRecordingError(ConflictError):
    """The uploaded recording is already stored. ``call_id`` names the stored call only when the acting user
    may open it (None otherwise, and the message then names no call and no agent)."""

    def __init__(self, message: str, *, call_id: str | None = None) -> None:
        super().__init__(message)
        self.call_id = call_id


class LeaseLostError(ConflictError):
    """A queued job's lease ran out and another worker may have taken it over: this worker stores nothing."""


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


class NotVisibleError(NotFoundError, AccessError):
    """A record that does not exist, or that the acting user may not see: one type and one message for both
    ("call 'x' not found or not yours"), so an id tells nobody whether someone else's record exists. It is also an
    :class:`AccessError` (drawn under its first parent)."""

    @classmethod
    def of(cls, kind: str, object_id: object) -> NotVisibleError:
        """The one message for a missing and a hidden ``kind`` (``call``, ``correction``, ``comment`` ...)."""
        return cls(f"{kind} {object_id!r} not found or not yours")


class ChecklistError(CoachingError):
    """A checklist file is broken."""


class LanguageDataError(CoachingError):
    """A language is not supported or its data file is broken."""


class SurveyImportError(CoachingError):
    """A survey export cannot be imported."""

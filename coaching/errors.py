"""One exception root for the whole core.

The CLI and the UI catch :class:`CoachingError` and show ``str(error)`` as one line.
Messages name the bad value.
"""

from __future__ import annotations


class CoachingError(Exception):
    """Root of every error the core raises on purpose."""


class SettingsError(CoachingError):
    """A setting (environment variable or option) has a bad value."""


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


class SurveyImportError(CoachingError):
    """A survey export cannot be imported."""

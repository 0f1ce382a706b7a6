"""The one analysis configuration: what a new analysis is transcribed and scored with.

Every entry point (the CLI, the app's upload worker, corrections, demo seeding, re-scoring) gets it from
:func:`coaching.services.config.analysis_config`, so one recording scores the same whichever way it came in.
Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from coaching.checklist import Checklist, load_checklist
from coaching.settings import Settings


@dataclass(frozen=True)
class AnalysisConfig:
    """Effective settings (the organisation's saved model and languages over the environment) and the
    active checklist; ``checklist.version_id`` is what the analysis JSON names in ``checklist.version_id``."""

    settings: Settings
    checklist: Checklist

    @classmethod
    def from_environment(cls, settings: Settings) -> AnalysisConfig:
        """The default when nothing is saved: the environment settings and the packaged checklist."""
        return cls(settings=settings, checklist=load_checklist())

    @property
    def checklist_version_id(self) -> str:
        return self.checklist.version_id

    @property
    def whisper_model(self) -> str | None:
        """The configured speech model (None: the packaged default)."""
        return self.settings.whisper_model

    def with_model(self, model: str | None) -> AnalysisConfig:
        """The same configuration with an explicitly chosen speech model (``--model``); None keeps it."""
        if not model:
            return self
        return replace(self, settings=self.settings.with_overrides(whisper_model=model))

"""A fingerprint of the one analysis configuration (:class:`coaching.analysis.config.AnalysisConfig`).

Two analyses of the same audio with the same fingerprint give the same result, so a batch run skips a recording
already analysed with it. It covers what changes a result: the speech model, the languages, the agent channel,
the decoding and vocabulary settings, redaction, the checklist version (with a hash of its content), and the
language asked for. It leaves out where things are kept (data folder, database), size limits and the device: a
field added to
:class:`coaching.settings.Settings` later is covered unless it is named in :data:`NOT_ANALYSIS`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from coaching.analysis.config import AnalysisConfig
from coaching.jsonable import to_jsonable

# Settings fields that never change what an analysis finds
NOT_ANALYSIS = frozenset({"data_dir", "db_url", "max_file_bytes", "max_duration_s", "device", "outcomes", "retention"})


def config_fingerprint(config: AnalysisConfig, *, language: str | None = None) -> str:
    """A hex sha256 of what decides an analysis: ``config`` and the requested ``language`` (None or auto: detect)."""
    settings = {
        f.name: getattr(config.settings, f.name)
        for f in dataclasses.fields(config.settings)
        if f.name not in NOT_ANALYSIS
    }
    redaction = settings.pop("redaction", None)
    if redaction is not None:  # keeping an unredacted copy does not change the analysis
        settings["redaction"] = {"enabled": redaction.enabled, "names": str(redaction.names_path or "")}
    checklist = config.checklist
    described = {
        "settings": settings,
        "checklist": checklist.version_id,  # its declared version and a hash of its content
        "language": None if language in (None, "", "auto") else language,
    }
    text = json.dumps(to_jsonable(described), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

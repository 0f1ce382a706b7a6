"""Call coaching core: analyse recorded calls offline and coach from the results.

The public API is re-exported here lazily, so ``import coaching`` stays cheap:

- :func:`analyse_call`, :class:`AnalysisRequest` (pipeline); :func:`load_transcriber`
- :class:`Settings` (from the environment), :class:`CoachingError` and its subclasses
- :func:`compute_metrics`, :func:`score_checklist`, :func:`load_checklist`
- :func:`analysis_to_dict`, :func:`analysis_json_schema` (the analysis JSON contract)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AnalysisRequest": "coaching.analysis.pipeline",
    "analyse_call": "coaching.analysis.pipeline",
    "load_transcriber": "coaching.asr.transcriber",
    "Settings": "coaching.settings",
    "CoachingError": "coaching.errors",
    "compute_metrics": "coaching.metrics.compute",
    "score_checklist": "coaching.checklist",
    "load_checklist": "coaching.checklist",
    "analysis_to_dict": "coaching.analysis.report",
    "analysis_json_schema": "coaching.analysis.report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'coaching' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)

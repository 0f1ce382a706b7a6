"""Call coaching core: analyse recorded calls offline and coach from the results (never imports streamlit).

Data flows one way: :mod:`~coaching.audio` → :mod:`~coaching.asr` and :mod:`~coaching.speakers` (transcript with
speakers) → :mod:`~coaching.redaction` (identifiers out, before anything is stored) → :mod:`~coaching.metrics` →
:mod:`~coaching.checklist` (wired by :mod:`~coaching.analysis`) → :mod:`~coaching.store` → :mod:`~coaching.views`
(read models) → pages. :mod:`~coaching.services` is what pages, the CLI (:mod:`~coaching.cli`) and the worker call;
:mod:`~coaching.outcomes` holds the NPS / FCR figures, :mod:`~coaching.language` the per-language data,
:mod:`~coaching.demo` the demo data. The top level is the
kernel: :mod:`~coaching.errors` (the one exception tree), :mod:`~coaching.settings`, :mod:`~coaching.models`
(the dataclasses between stages), :mod:`~coaching.access` (every access rule), :mod:`~coaching.scopes` (what
the rules let a user see, as data), :mod:`~coaching.jsonable` (dataclasses ↔ JSON), :mod:`~coaching.exports`
(spreadsheet-safe CSV / XLSX cells for every export), :mod:`~coaching.runtime` (process tuning of the app server).

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

"""Norm bands per language (``coaching/language/norms_{lang}.yaml``) and status checks."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from coaching.errors import LanguageDataError
from coaching.jsonable import JsonObject, from_jsonable
from coaching.language import check_language, read_data_file
from coaching.metrics.types import MetricParams, NormCheck, Status
from coaching.settings import SUPPORTED_LANGUAGES

BAND_KEYS = frozenset({"low", "high", "label", "unit", "percent", "below", "above"})


@dataclass(frozen=True)
class Band:
    """Acceptable range of one metric; ``None`` leaves a side open."""

    low: float | None
    high: float | None
    label: str
    unit: str = ""
    percent: bool = False  # stored as 0–1, shown as %
    below: str = ""  # why a value under ``low`` matters
    above: str = ""  # why a value over ``high`` matters


def _number(value: Any, *, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LanguageDataError(f"{where} must be a finite number or null, got {value!r}")
    return float(value)


def _band(raw: Any, *, where: str) -> Band:
    if not isinstance(raw, Mapping):
        raise LanguageDataError(f"{where} must be a mapping, got {raw!r}")
    unknown = set(raw) - BAND_KEYS
    if unknown:
        raise LanguageDataError(f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(BAND_KEYS)}")
    low, high = _number(raw.get("low"), where=f"{where}.low"), _number(raw.get("high"), where=f"{where}.high")
    if low is not None and high is not None and low > high:
        raise LanguageDataError(f"{where}: low {low} is above high {high}")
    return Band(
        low=low,
        high=high,
        label=str(raw.get("label", where)),
        unit=str(raw.get("unit", "")),
        percent=bool(raw.get("percent", False)),
        below=str(raw.get("below", "")),
        above=str(raw.get("above", "")),
    )


def _params(raw: Any, *, base: MetricParams, where: str) -> MetricParams:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise LanguageDataError(f"{where} must be a mapping, got {raw!r}")
    names = {f.name: f.type for f in dataclasses.fields(MetricParams)}
    changes: dict[str, float] = {}  # checked numbers; whole numbers for int parameters
    for key, value in raw.items():
        if key not in names:
            raise LanguageDataError(f"{where}: unknown parameter {key!r}; known: {sorted(names)}")
        number = _number(value, where=f"{where}.{key}")
        if number is None or number < 0:
            raise LanguageDataError(f"{where}.{key} must be >= 0, got {value!r}")
        changes[key] = int(number) if names[key] in ("int", int) else number
    params = from_jsonable(MetricParams, dataclasses.asdict(base) | changes)  # typed per field, unlike replace()
    if params.trajectory_bins < 3 or params.trajectory_bins % 3:
        raise LanguageDataError(f"{where}.trajectory_bins must be a multiple of 3, got {params.trajectory_bins}")
    return params


def _num(value: float, band: Band) -> str:
    shown = value * 100 if band.percent else value
    if float(shown).is_integer():
        return f"{shown:.0f}"
    if abs(shown) < 10:
        return f"{shown:.2f}".rstrip("0").rstrip(".")
    return f"{shown:.1f}" if abs(shown) < 100 else f"{shown:.0f}"


def _unit(band: Band) -> str:
    return " %" if band.percent else (f" {band.unit}" if band.unit else "")


def _norm_text(band: Band) -> str:
    lo = _num(band.low, band) if band.low is not None else None
    hi = _num(band.high, band) if band.high is not None else None
    if lo is not None and hi is not None:
        return f"{lo}–{hi}{_unit(band)}"
    if lo is not None:
        return f"at least {lo}{_unit(band)}"
    return f"at most {hi}{_unit(band)}" if hi is not None else "none"


@dataclass(frozen=True)
class Norms:
    """Norm bands and metric parameters of one language."""

    language: str
    bands: dict[str, Band]
    params: MetricParams

    @classmethod
    def load(cls, language: str, *, overrides: Mapping[str, Any] | None = None) -> Norms:
        """Defaults of ``language`` from its norms file, with optional overrides in the same shape."""
        norms = _load_defaults(check_language(language))
        return norms.with_overrides(overrides) if overrides else norms

    def with_overrides(self, overrides: Mapping[str, Any]) -> Norms:
        """A copy with some bands or parameters replaced: ``{"bands": {"talk_ratio_agent": {"high": 0.55}}}``."""
        unknown = set(overrides) - {"bands", "parameters"}
        if unknown:
            raise LanguageDataError(f"norm overrides have unknown keys {sorted(unknown)}; allowed: bands, parameters")
        bands = dict(self.bands)
        for metric, raw in (overrides.get("bands") or {}).items():
            if metric not in bands:
                raise LanguageDataError(f"no norm band {metric!r} to override; known: {sorted(bands)}")
            merged = {**dataclasses.asdict(bands[metric]), **raw}
            bands[metric] = _band(merged, where=f"override bands.{metric}")
        params = _params(overrides.get("parameters"), base=self.params, where="override parameters")
        return Norms(language=self.language, bands=bands, params=params)

    def check(self, metric: str, value: float | None) -> NormCheck:
        """Where ``value`` of ``metric`` falls against its band, with a one-line reason."""
        band = self.bands.get(metric)
        if band is None:
            raise LanguageDataError(f"no norm band {metric!r} for language {self.language!r}")
        norm = _norm_text(band)
        shown = "" if value is None or not math.isfinite(value) else _num(value, band) + _unit(band)
        status: Status
        if not shown or value is None:
            status, why = "unknown", f"{band.label}: not measured in this call (norm: {norm})."
        elif band.low is not None and value < band.low:
            status, why = "below", f"{band.label} {shown} is below the norm ({norm}). {band.below}".strip()
        elif band.high is not None and value > band.high:
            status, why = "above", f"{band.label} {shown} is above the norm ({norm}). {band.above}".strip()
        else:
            status, why = "within", f"{band.label} {shown} is within the norm ({norm})."
        return NormCheck(
            label=band.label,
            value=None if value is None or not math.isfinite(value) else float(value),
            low=band.low,
            high=band.high,
            unit="share" if band.percent else band.unit,
            status=status,
            why=why,
        )


@cache
def _load_defaults(language: str) -> Norms:
    """``norms_common.yaml`` with ``norms_{language}.yaml`` laid over it (band by band, key by key)."""
    common, own = read_data_file("norms_common.yaml"), read_data_file(f"norms_{language}.yaml")
    raw_bands: dict[str, JsonObject] = {}  # parsed YAML, merged key by key
    for name, data in (("norms_common.yaml", common), (f"norms_{language}.yaml", own)):
        section = data.get("bands") or {}
        if not isinstance(section, Mapping):
            raise LanguageDataError(f"{name}: 'bands' must be a mapping, got {section!r}")
        for metric, raw in section.items():
            if not isinstance(raw, Mapping):
                raise LanguageDataError(f"{name}: bands.{metric} must be a mapping, got {raw!r}")
            raw_bands[str(metric)] = {**raw_bands.get(str(metric), {}), **raw}
    bands = {k: _band(v, where=f"norms {language}: bands.{k}") for k, v in raw_bands.items()}
    params = _params(common.get("parameters"), base=MetricParams(), where="norms_common.yaml: parameters")
    params = _params(own.get("parameters"), base=params, where=f"norms_{language}.yaml: parameters")
    return Norms(language=language, bands=bands, params=params)


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the call-list flags and the review page's moments (``flags`` in ``norms_common.yaml``).

    One set for the organisation, so calls in different languages are flagged alike.
    """

    low_score: float  # checklist score (0–100) under this: "low score"
    min_interruptions: int  # this many agent interruptions or more: "interruptions"
    min_speaker_confidence: float  # speaker assignment less sure than this: "uncertain speakers"
    moment_reply_wait_s: float  # the customer's longest wait for a reply is a moment when over this
    moment_monologue_s: float  # the longest agent monologue is a moment when over this


@cache
def flag_rules() -> FlagRules:
    """The flag thresholds from ``norms_common.yaml`` (language files may not set them)."""
    for language in SUPPORTED_LANGUAGES:
        if "flags" in read_data_file(f"norms_{language}.yaml"):
            raise LanguageDataError(f"norms_{language}.yaml: 'flags' are set in norms_common.yaml only")
    raw = read_data_file("norms_common.yaml").get("flags")
    names = {f.name for f in dataclasses.fields(FlagRules)}
    if not isinstance(raw, Mapping) or set(raw) != names:
        raise LanguageDataError(f"norms_common.yaml: 'flags' must set exactly {sorted(names)}, got {raw!r}")
    values: dict[str, float] = {}
    for key, value in raw.items():
        number = _number(value, where=f"norms_common.yaml: flags.{key}")
        if number is None or number < 0:
            raise LanguageDataError(f"norms_common.yaml: flags.{key} must be >= 0, got {value!r}")
        values[key] = number
    return FlagRules(
        low_score=values["low_score"],
        min_interruptions=int(values["min_interruptions"]),
        min_speaker_confidence=values["min_speaker_confidence"],
        moment_reply_wait_s=values["moment_reply_wait_s"],
        moment_monologue_s=values["moment_monologue_s"],
    )

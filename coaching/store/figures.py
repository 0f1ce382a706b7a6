"""The few metric figures of a call that lists and progress show, taken from its metrics JSON once, when the
analysis row is written, into columns of ``analyses`` (migration 0010), so read models never parse the JSON.

:func:`figure_column` gives each column a default computed from the row's ``metrics`` on insert, so every writer
fills them (the ORM and bulk ``insert(AnalysisRow)`` alike) unless it passes the values itself; an analysis row is
never updated (a new analysis is a new row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Float, Integer
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import MappedColumn, mapped_column

JsonObject = Mapping[str, Any]  # a part of the stored analysis JSON, read only

FIGURES: dict[str, Any] = {  # column name: type
    "talk_ratio_agent": Float,
    "agent_wpm": Float,
    "agent_sps": Float,
    "customer_sps": Float,
    "flagged_silences": Integer,
    "interruptions": Integer,
    "overtalk_share": Float,
    "out_of_norm": JSON,  # a list of labels
}


def flagged_silences(silences: Sequence[JsonObject] | None) -> int:
    """How many of a call's listed silences are flagged (metrics JSON ``silences``)."""
    return sum(1 for s in silences or [] if s.get("flagged"))


def out_of_norm(norms: JsonObject | None) -> tuple[str, ...]:
    """Labels of the metrics outside their norm band (metrics JSON ``norms``)."""
    return tuple(str(n.get("label", k)) for k, n in (norms or {}).items() if n.get("status") in ("below", "above"))


def _rate(speaker: JsonObject) -> float | None:
    value = speaker.get("articulation_rate_sps")
    return value if value is not None else speaker.get("syllables_per_second")


def call_figures(metrics: JsonObject | None) -> dict[str, Any]:
    """The :data:`FIGURES` of one stored metrics JSON (``out_of_norm`` as a list)."""
    metrics = metrics if isinstance(metrics, Mapping) else {}
    speakers = metrics.get("speakers") or {}
    agent, customer = speakers.get("agent") or {}, speakers.get("customer") or {}
    return {
        "talk_ratio_agent": metrics.get("talk_ratio_agent"),
        "agent_wpm": agent.get("words_per_minute"),
        "agent_sps": _rate(agent),
        "customer_sps": _rate(customer),
        "flagged_silences": flagged_silences(metrics.get("silences")),
        "interruptions": (metrics.get("interruptions") or {}).get("count"),
        "overtalk_share": (metrics.get("overtalk") or {}).get("share_of_talk"),
        "out_of_norm": list(out_of_norm(metrics.get("norms"))),
    }


def figure_column(name: str) -> MappedColumn[Any]:
    """A nullable column of ``analyses`` holding :func:`call_figures` ``[name]`` of the row's ``metrics``."""

    def default(context: DefaultExecutionContext) -> Any:
        return call_figures(context.get_current_parameters().get("metrics"))[name]

    return mapped_column(FIGURES[name], nullable=True, default=default)

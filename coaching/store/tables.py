"""Tables for teams, agents, calls, transcript segments and words, speech spans, analyses and their item and
category results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, mapped_column

from coaching.store.base import Base
from coaching.store.figures import figure_column


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # its calls' language (0006)


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    default_language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # beats the team's (0006)


class CallRow(Base):
    __tablename__ = "calls"
    __table_args__ = (  # call lists: newest first, of an agent or of everyone (migration 0004)
        Index("ix_calls_agent_id_created_at", "agent_id", "created_at"),
        Index("ix_calls_created_at", "created_at"),
        # each agent's newest real shared calls from the index alone: the competence map's windows (0011)
        Index("ix_calls_agent_id_type_private_created_at", "agent_id", "call_type", "is_private", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)  # for erasure (0005)
    audio_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    audio_path: Mapped[str] = mapped_column(Text)
    source_filename: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_s: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    channel_mode: Mapped[str] = mapped_column(String(8))
    model_name: Mapped[str] = mapped_column(String(200))
    call_type: Mapped[str] = mapped_column(String(16), default="real")
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    diarization_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)  # exempt from retention (0005)
    original_audio_path: Mapped[str | None] = mapped_column(Text, nullable=True)  # unredacted, only if kept (0005)
    # how the language was chosen and how sure it is (0006): coaching.models.LanguageCheck
    language_probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    language_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language_flags: Mapped[str] = mapped_column(String(64), default="")  # comma-separated; "" not flagged
    language_channels: Mapped[list | None] = mapped_column(JSON, nullable=True)
    warnings: Mapped[list | None] = mapped_column(JSON, nullable=True)  # the analysis's warnings (channels, audio)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("call_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)


class WordRow(Base):
    __tablename__ = "words"
    __table_args__ = (UniqueConstraint("segment_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    word: Mapped[str] = mapped_column(String(200))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    probability: Mapped[float] = mapped_column(Float)
    suspect: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the hallucination guard's reason


class SpeechSpanRow(Base):
    __tablename__ = "speech_spans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(16))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)


class AnalysisRow(Base):
    """One scored analysis of a call; the newest row per call is the current one."""

    __tablename__ = "analyses"
    # the current analysis (newest id per call) straight from the index (migration 0004)
    __table_args__ = (Index("ix_analyses_call_id_id", "call_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    schema_version: Mapped[str] = mapped_column(String(16))
    checklist_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    metrics: Mapped[dict] = mapped_column(JSON)
    checklist: Mapped[dict] = mapped_column(JSON)
    # figures of ``metrics`` that lists and progress show, filled on insert (migration 0010; coaching.store.figures)
    talk_ratio_agent: Mapped[float | None] = figure_column("talk_ratio_agent")
    agent_wpm: Mapped[float | None] = figure_column("agent_wpm")
    agent_sps: Mapped[float | None] = figure_column("agent_sps")
    customer_sps: Mapped[float | None] = figure_column("customer_sps")
    flagged_silences: Mapped[int | None] = figure_column("flagged_silences")
    interruptions: Mapped[int | None] = figure_column("interruptions")
    overtalk_share: Mapped[float | None] = figure_column("overtalk_share")
    out_of_norm: Mapped[list | None] = figure_column("out_of_norm")


class ItemResultRow(Base):
    """One checklist item of one analysis, as the narrow copy of ``analyses.checklist`` that dashboards group on
    (written with the analysis; migration 0008). ``passed`` None: the item did not apply or was uncertain."""

    __tablename__ = "item_results"
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class CategoryResultRow(Base):
    """The automatic results of one checklist category in one analysis, summed from its item rows (written with
    them; migration 0012), so the competence map reads a row per category of each recent call, not a row per item:
    ``items`` with a result, ``passed`` of them, ``first_position`` the category's first item."""

    __tablename__ = "category_results"
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_position: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)


def category_result_values(item_values: list[dict]) -> list[dict]:
    """The :class:`CategoryResultRow` values of :func:`item_result_values` rows (items without a category are
    left out; a category whose items all lack a result has a row with ``items`` 0)."""
    found: dict[tuple[int, str], dict] = {}
    for item in item_values:
        if item["category"] is None:
            continue
        key = (item["analysis_id"], item["category"])
        row = found.setdefault(
            key,
            {"analysis_id": key[0], "category": key[1], "first_position": item["position"], "items": 0, "passed": 0},
        )
        row["first_position"] = min(row["first_position"], item["position"])
        row["items"] += item["passed"] is not None
        row["passed"] += item["passed"] is True
    return list(found.values())


def item_result_values(analysis_id: int, call_id: str, checklist: dict) -> list[dict]:
    """The :class:`ItemResultRow` values of a stored checklist JSON (items without an id are left out); a
    ``passed`` that is not a bool is stored as None (not counted)."""
    items = (checklist or {}).get("items", []) if isinstance(checklist, dict) else []
    return [
        {
            "analysis_id": analysis_id,
            "position": position,
            "call_id": call_id,
            "item_id": str(item["id"]),
            "label": item.get("label"),
            "category": item.get("category"),
            "weight": float(item.get("weight", 1.0)),
            "passed": item.get("passed") if isinstance(item.get("passed"), bool) else None,
        }
        for position, item in enumerate(items)
        if isinstance(item, dict) and item.get("id") is not None
    ]


@event.listens_for(AnalysisRow, "after_insert")
def _write_item_results(_mapper: Any, connection: Connection, target: AnalysisRow) -> None:
    """Every analysis row added through a session gets its item and category rows in the same flush (bulk loaders
    that insert analyses with Core statements add them with :func:`item_result_values` and
    :func:`category_result_values`, and then refill the item totals,
    :func:`coaching.store.totals.refill_item_totals`, which sessions do after this listener)."""
    values = item_result_values(target.id, target.call_id, target.checklist)
    if values:
        connection.execute(insert(ItemResultRow), values)
    if categories := category_result_values(values):
        connection.execute(insert(CategoryResultRow), categories)

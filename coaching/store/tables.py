"""Tables for teams, agents, calls, transcript segments and words, speech spans, analyses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coaching.store.base import Base


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)


class CallRow(Base):
    __tablename__ = "calls"
    __table_args__ = (  # call lists: newest first, of an agent or of everyone (migration 0004)
        Index("ix_calls_agent_id_created_at", "agent_id", "created_at"),
        Index("ix_calls_created_at", "created_at"),
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

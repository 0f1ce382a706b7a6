"""Cached shared resources: settings, the database, the speech models.

``st.cache_resource`` holds only thread-safe things shared by every session: the environment settings (frozen),
the SQLAlchemy engine (thread-safe) and the loaded speech models (one per model). Queued analyses run in a worker
process, ``python -m coaching worker`` (``make run`` starts it beside the app), never in the app. The analysis
configuration is not cached: :func:`analysis_config` resolves it on each use, so a saved model, language or
checklist version applies to the next analysis.
"""

from __future__ import annotations

import streamlit as st

from coaching.analysis.config import AnalysisConfig
from coaching.asr.transcriber import Transcriber, load_transcriber
from coaching.services import config
from coaching.settings import Settings
from coaching.store.db import Database


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def database() -> Database:
    """One engine for the whole server, migrated on first use."""
    return Database.open(settings().db_url)


def analysis_config() -> AnalysisConfig:
    """The organisation's saved model, languages and active checklist over the environment (as the CLI uses)."""
    return config.analysis_config(settings(), database())


def analysis_settings() -> Settings:
    """The settings of :func:`analysis_config` (saved languages and model applied)."""
    return analysis_config().settings


@st.cache_resource(max_entries=3)
def _speech_model(model: str | None, device: str, vocabulary: str, _analysis: Settings) -> Transcriber:
    return load_transcriber(_analysis)


def make_transcriber(analysis: Settings) -> Transcriber:
    """The speech model for ``analysis`` settings, loaded once per model (weights load on first use)."""
    return _speech_model(analysis.whisper_model, analysis.device, analysis.asr_vocabulary, analysis)

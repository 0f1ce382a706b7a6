"""Cached shared resources: settings, the database, the background job worker.

``st.cache_resource`` holds only thread-safe things shared by every session: the settings (frozen), the
SQLAlchemy engine (thread-safe) and the job worker (its own thread; state in the database).
"""

from __future__ import annotations

import streamlit as st

from coaching.asr.transcriber import Transcriber, load_transcriber
from coaching.services.admin import effective_settings
from coaching.services.checklists import active_checklist
from coaching.services.jobs import JobWorker
from coaching.settings import Settings
from coaching.store.db import Database


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def database() -> Database:
    """One engine for the whole server, migrated on first use."""
    return Database.open(settings().db_url)


def analysis_settings() -> Settings:
    """Environment settings with the organisation's saved languages and model."""
    return effective_settings(database(), settings())


def make_transcriber(analysis: Settings) -> Transcriber:
    """The speech model for new analyses (weights load on first use, in the worker thread)."""
    return load_transcriber(analysis)


@st.cache_resource
def job_worker() -> JobWorker:
    """The one background worker of this server; started on first use, it resumes queued jobs."""
    db, base = database(), settings()
    worker = JobWorker(
        db=db,
        settings=lambda: effective_settings(db, base),
        transcriber_factory=lambda analysis: make_transcriber(analysis),
        checklist=lambda: active_checklist(db),
    )
    worker.start()
    return worker

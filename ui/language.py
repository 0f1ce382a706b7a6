"""The call's language on the review page (how it was chosen, the detection probability, the flag, "analyse again
as …") and the default languages of teams and agents on the settings page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coaching.access import User
from coaching.analysis.languages import language_doubt
from coaching.models import LanguageCheck
from coaching.services.languages import language_defaults_of, set_agent_language, set_team_language
from coaching.services.reanalysis import submit_reanalysis
from coaching.settings import SUPPORTED_LANGUAGES
from coaching.store.db import Database
from ui.text import plain
from ui.widgets import choose, job_progress, shown_errors, table

SOURCE_TEXT = {
    "forced": "chosen at upload or re-analysis",
    "agent_default": "the agent's default",
    "team_default": "the team's default",
    "detected": "detected",
}
DETECT = "detect"


def language_line(check: LanguageCheck | None, language: str) -> str:
    """``Language: en · detected, probability 60%`` (or how a fixed language was chosen)."""
    if check is None:
        return f"Language: {language}"
    shown = f"Language: {language} · {SOURCE_TEXT.get(check.source, check.source)}"
    if check.probability is not None:
        shown += f", probability {check.probability:.0%}"
    if check.channels:
        shown += " (" + ", ".join(f"{c.speaker} {c.language} {c.probability:.0%}" for c in check.channels) + ")"
    return shown


def language_view(
    user: User, db: Database, call_id: str, check: LanguageCheck | None, *, language: str, can_redo: bool
) -> None:
    """The language line; for a flagged call a warning and, for those allowed, "Analyse again as fi / sv / en"."""
    st.caption(plain(language_line(check, language)))
    if check is None or not check.flagged:
        return
    st.warning(f"Language doubtful: {plain(language_doubt(check).removeprefix('language doubtful: '))}.")
    if not can_redo:
        return
    cols = st.columns(len(SUPPORTED_LANGUAGES))
    for n, code in enumerate(SUPPORTED_LANGUAGES):
        if cols[n].button(f"Analyse again as {code}", key=f"redo-{code}-{call_id}"):
            with shown_errors():
                submit_reanalysis(user, db, call_id, language=code)  # the worker process transcribes it
                st.toast(f"Queued: analysing again in {code}.")
    job_progress(user, call_id=call_id)  # while it runs; the page reloads when it is done


def language_defaults_view(user: User, db: Database) -> None:
    """Default languages of teams (managers) and agents (their coaches and managers): used for every new analysis
    whose language is not chosen at upload; with none, the language is detected and doubtful detections flagged."""
    st.caption(
        "New calls are transcribed in the agent's default language, else the team's; with neither, the language "
        "is detected, and a doubtful detection is flagged on the call for review. A language chosen at upload "
        "(or `--language` on the command line) always wins."
    )
    defaults = language_defaults_of(user, db)
    if not defaults:
        st.info("No teams or agents whose default language you may set.")
        return
    table(
        pd.DataFrame(
            [{"kind": d.kind, "id": d.id, "name": d.name, "team": d.team_id, "language": d.language} for d in defaults]
        ),
        "default languages",
    )
    choices = [DETECT, *SUPPORTED_LANGUAGES]
    for kind, label in (("team", "Team"), ("agent", "Agent")):
        rows = {d.id: f"{d.name} ({d.id})" for d in defaults if d.kind == kind}
        if not rows:
            continue
        with st.form(f"language-{kind}"):
            cols = st.columns(2)
            chosen = choose(label, rows, key=f"language-{kind}-id", where=cols[0])
            current = next(d.language for d in defaults if d.kind == kind and d.id == chosen)
            value = cols[1].selectbox(
                "Default language", choices, index=choices.index(current or DETECT), key=f"language-{kind}-value"
            )
            if st.form_submit_button(f"Save {kind} language"):
                with shown_errors():
                    language = None if value == DETECT else value
                    if kind == "team":
                        set_team_language(user, db, chosen, language)
                    else:
                        set_agent_language(user, db, chosen, language)
                    st.success(f"Saved: {plain(rows[chosen])} → {value}.")

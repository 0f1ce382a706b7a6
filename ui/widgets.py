"""Small Streamlit pieces the pages share: errors, tables with CSV export, time jumps, the audio player,
and the progress of background jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from coaching.access import User
from coaching.checklist.quality import LOW_PROBABILITY  # one threshold: shading = quality figure
from coaching.errors import CoachingError
from coaching.exports import frame_csv
from coaching.models import Segment
from coaching.services.audit import record_export
from coaching.services.jobs import Job, list_jobs
from ui.auth import current_user
from ui.resources import database
from ui.text import plain

JUMP_KEY = "jump_s"
CALL_KEY = "review_call_id"
T = TypeVar("T")


def show_error(error: CoachingError) -> None:
    st.error(plain(error))  # messages echo names and file names people typed


@contextmanager
def shown_errors() -> Iterator[None]:
    """Run service calls; a CoachingError ends the block and shows as one message."""
    try:
        yield
    except CoachingError as error:
        show_error(error)


def attempt(action: Callable[[], T]) -> T | None:
    """Run a service call; show a CoachingError as one message and return None."""
    try:
        return action()
    except CoachingError as error:
        show_error(error)
        return None


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def table(frame: pd.DataFrame, name: str, *, caption: str | None = None, **options: Any) -> None:
    """A dataframe with a CSV download of exactly what is shown (formula-like text neutralised)."""
    if caption:
        st.caption(caption)
    st.dataframe(frame, hide_index=True, **options)
    st.download_button(
        f"Download {name} as CSV",
        _recorded_csv(frame, name),
        file_name=f"{name.replace(' ', '_')}.csv",
        mime="text/csv",
        key=f"csv-{name}",
    )


def _recorded_csv(frame: pd.DataFrame, name: str) -> Callable[[], bytes]:
    """The CSV, made when the button is clicked and only after the export is recorded in the audit log."""
    user, db = current_user(), database()

    def make() -> bytes:
        if user is None:
            return b""
        record_export(user, db, name, rows=len(frame), detail="csv from the app")
        return frame_csv(frame)

    return make


def _jump(seconds: float) -> None:
    st.session_state[JUMP_KEY] = float(seconds)


def jump_button(seconds: float, key: str, label: str | None = None) -> None:
    """A button that moves the audio player to ``seconds`` (a callback, so the player above sees it at once)."""
    st.button(
        label or f"▶ {clock(seconds)}", key=key, help=f"Play from {clock(seconds)}", on_click=_jump, args=(seconds,)
    )


def audio_player(path: str | None) -> None:
    """The call's audio in the sidebar, starting where the last jump asked."""
    with st.sidebar:
        st.markdown("**Call audio**")
        if path is None:
            st.caption("The recording is not stored on this server.")
            return
        start = float(st.session_state.get(JUMP_KEY, 0.0))
        st.audio(path, start_time=int(start), autoplay=start > 0)
        st.caption(f"Playing from {clock(start)}. Use the ▶ buttons to jump.")


def transcript_html(segment: Segment) -> str:
    """A segment's words, low-confidence ones shaded; the words themselves are plain text (:func:`ui.text.plain`:
    no markdown or HTML in a transcript renders)."""
    if not segment.words:
        return plain(segment.text)
    parts = []
    for word in segment.words:
        text = plain(word.word)
        if word.suspect:  # the hallucination guard doubts it: shown struck through, never evidence
            tip = f"doubted by the recogniser check ({word.suspect}); not used as evidence"
            parts.append(f'<span style="color:#888;text-decoration:line-through" title="{tip}">{text}</span>')
        elif word.probability < LOW_PROBABILITY:
            tip = f"recogniser confidence {word.probability:.0%}"
            parts.append(f'<span style="background:#ffe08a;border-radius:3px" title="{tip}">{text}</span>')
        else:
            parts.append(text)
    return " ".join(parts)


def choose(label: str, options: Mapping[Any, str], *, key: str | None = None, index: int = 0, where: Any = st) -> Any:
    """A selectbox over the keys of ``options`` showing their labels; ``where`` is st or a column."""
    keys = list(options)
    return where.selectbox(
        label, keys, index=min(index, max(len(keys) - 1, 0)), format_func=options.__getitem__, key=key
    )


def _job_line(job: Job) -> str:
    what = plain(f"{job.filename} ({'practice' if job.call_type == 'practice' else job.agent_id})")
    if job.status == "failed":
        return f":material/error: {what}: {plain(job.error)}"
    if job.status == "done":
        return f":material/check_circle: {what}: analysed"
    return f":material/hourglass_top: {what}: {job.stage}"


def job_progress(user: User, *, call_type: str | None = None, call_id: str | None = None) -> list[Job]:
    """Recent jobs of ``user`` with progress (of ``call_type``, or re-analyses of ``call_id``); while one runs, this
    part refreshes itself every second.

    Jobs live in the database, so a browser refresh finds them again. Returns the jobs shown.
    """
    jobs = _jobs(user, call_type, call_id)
    if not jobs:
        return jobs
    if any(j.active for j in jobs):
        _live_jobs(user, call_type, call_id, tuple(j.id for j in jobs if j.active))
    else:
        for job in jobs[:3]:
            (st.error if job.status == "failed" else st.caption)(_job_line(job))
    return jobs


def _jobs(user: User, call_type: str | None, call_id: str | None) -> list[Job]:
    jobs = list_jobs(user, database(), limit=5)
    if call_id is not None:
        return [j for j in jobs if j.kind == "reanalyze" and j.call_id == call_id]
    return [j for j in jobs if j.kind != "reanalyze" and (call_type is None or j.call_type == call_type)]


@st.fragment(run_every=1.0)
def _live_jobs(user: User, call_type: str | None, call_id: str | None, watching: tuple[str, ...]) -> None:
    jobs = _jobs(user, call_type, call_id)
    for job in jobs:
        if job.active:
            st.progress(min(max(job.fraction, 0.0), 1.0), text=_job_line(job))
        else:
            (st.error if job.status == "failed" else st.caption)(_job_line(job))
    if not any(j.active for j in jobs if j.id in watching):
        st.rerun(scope="app")

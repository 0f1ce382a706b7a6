"""My calls (agent), Team calls (coach), Calls (manager): filters, CSV, upload of recorded calls."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from coaching.errors import DuplicateRecordingError
from coaching.services.jobs import submit_analysis
from coaching.settings import SUPPORTED_LANGUAGES
from coaching.views.calls import FLAGS, CallFilters, call_table
from coaching.views.progress import visible_agents
from ui.auth import require_user
from ui.resources import analysis_settings, database
from ui.text import plain
from ui.widgets import CALL_KEY, JUMP_KEY, attempt, choose, job_progress, shown_errors, table

DUPLICATE_KEY = "upload_duplicate"
user = require_user()
st.title({"agent": "My calls", "coach": "Team calls"}.get(user.role, "Calls"))
db = database()
agents = visible_agents(user, db)

with st.expander("Upload a recorded call", expanded=False), st.form("upload", clear_on_submit=True):
    upload = st.file_uploader(
        "Recording (wav, mp3, m4a, ogg, flac)", type=["wav", "mp3", "m4a", "ogg", "opus", "flac", "webm"]
    )
    cols = st.columns(4)
    if user.role == "agent":
        agent_id = user.agent_id
        cols[0].text_input("Agent", value=user.name, disabled=True)
    else:
        names = {a: f"{n} ({t})" for a, n, t in agents}
        agent_id = choose("Agent", names, where=cols[0]) if names else None
    contact_id = cols[1].text_input("Contact id (optional)", help="Links the call to its survey answer (NPS).")
    customer_id = cols[2].text_input(
        "Customer id (optional)", help="Whose call it is, so that erasing a customer's data finds it."
    )
    language = cols[3].selectbox(
        "Language",
        ["auto", *SUPPORTED_LANGUAGES],
        help="auto: the agent's default language, else the team's (Settings → Call languages), else detected",
    )
    again = st.checkbox(
        "Analyse again if this recording is already stored",
        help="Refused for a call with transcript corrections: analysing again would discard them.",
    )
    if st.form_submit_button("Analyse", type="primary"):
        if upload is None or agent_id is None:
            st.warning("Choose a recording (and an agent) first.")
        else:
            st.session_state.pop(DUPLICATE_KEY, None)
            with shown_errors():
                try:
                    submit_analysis(
                        user,
                        db,
                        settings=analysis_settings(),
                        data=upload.getvalue(),
                        filename=upload.name,
                        agent_id=agent_id,
                        language=language,
                        contact_id=contact_id,
                        customer_id=customer_id,
                        again=again,
                    )
                except DuplicateRecordingError as error:  # said before anything is analysed
                    st.session_state[DUPLICATE_KEY] = (str(error), error.call_id)
                else:  # the worker process (python -m coaching worker) claims it within a second
                    st.success(f"{plain(upload.name)} is queued; you can keep working while it is analysed.")

duplicate = st.session_state.get(DUPLICATE_KEY)
if duplicate is not None:
    st.warning(plain(duplicate[0]))
    if duplicate[1] is not None and st.button("Open the stored call", type="primary"):
        st.session_state[CALL_KEY], st.session_state[JUMP_KEY] = duplicate[1], 0.0
        st.session_state.pop(DUPLICATE_KEY, None)
        st.switch_page("pages/call_review.py")

jobs = job_progress(user, call_type="real")
finished = [j for j in jobs if j.status == "done" and j.call_id]
if finished and st.button(f"Review {plain(finished[0].filename)}", type="primary"):
    st.session_state[CALL_KEY], st.session_state[JUMP_KEY] = finished[0].call_id, 0.0
    st.switch_page("pages/call_review.py")

st.subheader("Filters")
filter_cols = st.columns([2, 2, 2, 3])
period = filter_cols[0].date_input("Dates", value=(date.today() - timedelta(days=183), date.today()), key="call_dates")
types = filter_cols[1].multiselect("Type", ["real", "practice"], key="call_types")
scores = filter_cols[2].slider("Score", 0, 100, (0, 100), key="call_scores")
flags = filter_cols[3].multiselect("Flags (any of)", list(FLAGS), key="call_flags")
chosen_agents: list[str] = []
if user.role != "agent":
    agent_names = {a: n for a, n, _ in agents}
    chosen_agents = st.multiselect("Agents", list(agent_names), format_func=agent_names.__getitem__, key="call_agents")
since, until = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
filters = CallFilters(
    since=since,
    until=until,
    call_types=tuple(types),
    min_score=scores[0] if scores[0] > 0 else None,
    max_score=scores[1] if scores[1] < 100 else None,
    flags=tuple(flags),
    agent_ids=tuple(chosen_agents),
)
PAGE_SIZE = 200  # the list reads one page of the matching calls (newest first), however many are stored
page = int(st.number_input("Page", min_value=1, value=1, step=1, key="call_page"))
first = (page - 1) * PAGE_SIZE
calls = attempt(lambda: call_table(user, db, filters, limit=PAGE_SIZE, offset=first))
if calls is None:
    st.stop()
if calls.empty:
    st.info("No calls match. Upload a recording above, or widen the filters.")
    st.stop()
shown = calls.drop(columns=["agent_id"]) if user.role != "agent" else calls.drop(columns=["agent_id", "agent", "team"])
more = " (more on the next page)" if len(calls) == PAGE_SIZE else ""
table(shown, "calls", caption=f"calls {first + 1}–{first + len(calls)}{more}")
labels = {
    row.call: f"{row.date:%Y-%m-%d} · {row.agent} · {row.language} · score {'–' if pd.isna(row.score) else row.score}"
    for row in calls.itertuples()
}
chosen = choose("Open a call", labels, key="open_call")
if st.button("Review this call", type="primary"):
    st.session_state[CALL_KEY], st.session_state[JUMP_KEY] = chosen, 0.0
    st.switch_page("pages/call_review.py")

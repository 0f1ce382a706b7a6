"""Coaching sessions: agenda from repeating patterns, notes, action items with due dates, follow-up, ratings."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from coaching.services.sessions import (
    add_action,
    coaching_overview,
    rate_competence,
    save_notes,
    set_action_done,
    start_session,
)
from coaching.views.progress import visible_agents
from ui.auth import require_user
from ui.resources import database
from ui.text import plain
from ui.widgets import attempt, choose, shown_errors, table

VERDICT = {
    "improved": "improved ↑",
    "unchanged": "unchanged",
    "worse": "worse ↓",
    "no calls yet": "no calls yet",
}

user = require_user()
db = database()
st.title("My coaching" if user.role == "agent" else "Coaching sessions")
agents = visible_agents(user, db)
if user.role == "agent":
    agent_id = str(user.agent_id)
else:
    names = {a: f"{n} ({t})" for a, n, t in agents}
    if not names:
        st.info("No agents in your teams yet.")
        st.stop()
    agent_id = choose("Agent", names, key="coach_agent")
overview = attempt(lambda: coaching_overview(user, db, agent_id))
if overview is None:
    st.stop()

st.subheader("Patterns in the recent calls")
if overview.patterns:
    for pattern in overview.patterns:
        st.markdown(f"- **{plain(pattern.label)}** — {pattern.hits} of the last {pattern.calls} calls")
else:
    st.caption("No item failed or metric left its norm in 3 of the last 5 calls.")
if overview.can_edit:
    cols = st.columns([2, 1])
    held = cols[0].date_input("Session date", value=date.today(), key="session_date")
    if cols[1].button("Start a session with this agenda", type="primary"):
        with shown_errors():
            start_session(user, db, agent_id, held_on=held)
            st.rerun()

st.subheader("Sessions")
if not overview.sessions:
    st.caption("No sessions yet.")
for n, session in enumerate(overview.sessions):
    with st.expander(f"{session.held_on:%Y-%m-%d} · coach {plain(session.coach_id)}", expanded=n == 0):
        st.markdown("**Agenda and follow-up** (calls after the session)")
        if session.follow_up:
            table(
                pd.DataFrame(
                    [
                        {
                            "pattern": f.pattern.label,
                            "before": f"{f.pattern.hits} of {f.pattern.calls}",
                            "since": f"{f.hits_since} of {f.calls_since}",
                            "change": VERDICT.get(f.verdict, f.verdict),
                        }
                        for f in session.follow_up
                    ]
                ),
                f"agenda {session.id}",
            )
        else:
            st.caption("The agenda was empty.")
        if overview.can_edit:
            notes = st.text_area("Notes", value=session.notes, key=f"notes-{session.id}")
            if st.button("Save notes", key=f"save-notes-{session.id}"):
                with shown_errors():
                    save_notes(user, db, session.id, notes)
                    st.rerun()
        elif session.notes:
            st.markdown(f"**Notes.** {plain(session.notes)}")
        st.markdown("**Action items**")
        for action in session.actions:
            due = f" · due {action.due_on:%Y-%m-%d}" if action.due_on else ""
            late = " · :orange[overdue]" if action.overdue else ""
            done = st.checkbox(f"{plain(action.text)}{due}{late}", value=action.done, key=f"action-{action.id}")
            if done != action.done:
                with shown_errors():
                    set_action_done(user, db, action.id, done=done)
                    st.rerun()
        if overview.can_edit:
            with st.form(f"action-form-{session.id}", clear_on_submit=True):
                cols = st.columns([3, 1])
                text = cols[0].text_input("New action item")
                due_on = cols[1].date_input("Due", value=date.today() + timedelta(days=14))
                if st.form_submit_button("Add action item"):
                    with shown_errors():
                        add_action(user, db, session.id, text=text, due_on=due_on)
                        st.rerun()

if overview.can_edit:
    st.subheader("Rate a competence")
    with st.form("rating", clear_on_submit=True):
        cols = st.columns([2, 2, 3])
        competence = cols[0].text_input("Competence", placeholder="e.g. payment plans, cognitive")
        level = cols[1].select_slider(
            "Level",
            options=[1, 2, 3, 4],
            value=3,
            format_func=lambda v: f"{v} {['learning', 'developing', 'proficient', 'expert'][v - 1]}",
        )
        note = cols[2].text_input("Note")
        if st.form_submit_button("Save rating"):
            with shown_errors():
                rate_competence(user, db, agent_id, competence=competence, level=level, note=note)
                st.success(f"Rated {plain(competence)}: level {level}.")

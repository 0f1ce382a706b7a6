"""Practice (agent): pick a scenario, record or upload, and get feedback as soon as the analysis ends.
Practice calls are private until the agent shares one with the coach."""

import pandas as pd
import streamlit as st

from coaching.services.jobs import submit_analysis
from coaching.services.practice import list_attempts, practice_feedback, scenarios_for, share_practice_call
from ui.auth import require_user
from ui.resources import analysis_settings, database
from ui.review import item_mark, score_basis
from ui.text import plain
from ui.widgets import CALL_KEY, JUMP_KEY, attempt, choose, job_progress, shown_errors, table

LANGUAGES = {"fi": "suomi", "sv": "svenska", "en": "English"}

user = require_user()
db = database()
st.title("Practice")
st.caption("Practice calls are private: only you see them until you share one with your coach.")

left, right = st.columns([3, 2])
with left:
    language = st.radio("Language", list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True, key="practice_lang")
    scenarios = scenarios_for(language)
    titles = {s.id: f"{s.title} ({s.difficulty})" for s in scenarios}
    scenario_id = choose("Scenario", titles, key="practice_scenario")
    scenario = next(s for s in scenarios if s.id == scenario_id)
    with st.container(border=True):
        st.markdown(f"**The customer's situation.** {plain(scenario.situation)}")
        st.markdown(f"**The customer opens:** _“{plain(scenario.opening)}”_")
        st.markdown("**What good looks like**")
        st.markdown("\n".join(f"- {plain(g)}" for g in scenario.good))
with right:
    st.markdown("**Record in the browser** (a colleague plays the customer) or upload a recording.")
    recording = st.audio_input("Record your practice call", key="practice_recording")
    uploaded = st.file_uploader(
        "…or upload", type=["wav", "mp3", "m4a", "ogg", "opus", "flac", "webm"], key="practice_upload"
    )
    source = recording or uploaded
    if st.button("Get feedback", type="primary", disabled=source is None) and source is not None:
        name = getattr(source, "name", "") or "recording.wav"
        with shown_errors():
            submit_analysis(
                user,
                db,
                settings=analysis_settings(),
                data=source.getvalue(),
                filename=name if "." in name else f"{name}.wav",
                agent_id=str(user.agent_id),
                language=language,
                call_type="practice",
                scenario_id=scenario_id,
            )  # the worker process (python -m coaching worker) claims it
    job_progress(user, call_type="practice")

attempts = attempt(lambda: list_attempts(user, db)) or []
if not attempts:
    st.info("Your feedback appears here as soon as your first practice call is analysed.")
    st.stop()
st.divider()
if st.session_state.get("practice_latest") != attempts[0].call_id:  # a new attempt: show its feedback
    st.session_state["practice_latest"] = st.session_state["practice_attempt"] = attempts[0].call_id
labels = {a.call_id: f"{a.created_at:%Y-%m-%d %H:%M} · {a.title}" for a in attempts}
call_id: str = choose("Feedback on", labels, key="practice_attempt")
feedback = attempt(lambda: practice_feedback(user, db, call_id))
if feedback is None:
    st.stop()
score, previous = feedback.checklist.score, feedback.previous_score
cols = st.columns(4)
cols[0].metric(
    "Score",
    "n/a" if score is None else f"{score:.0f}",
    delta=None if previous is None or score is None else f"{score - previous:+.0f} vs last try",
)
cols[0].caption(score_basis(feedback.checklist.scored_items, feedback.checklist.total_items))
speakers = feedback.analysis.metrics.speakers
sps, c_sps = speakers.agent.articulation_rate_sps, speakers.customer.articulation_rate_sps
cols[1].metric("Your tempo", "n/a" if sps is None else f"{sps:.1f} syll/s", help="Articulation rate, pauses excluded")
cols[2].metric("Customer tempo", "n/a" if c_sps is None else f"{c_sps:.1f} syll/s")
ratio = feedback.analysis.metrics.talk_ratio_agent
cols[3].metric("Your talk share", "n/a" if ratio is None else f"{ratio:.0%}", help="Norm 40–60 %")
st.caption("Tempo and talk share describe your delivery only; nothing here judges how you feel.")

st.subheader("This scenario's focus")
for item in feedback.focus_items or feedback.other_items:
    st.markdown(f"{item_mark(item)} **{plain(item.result.label)}**")
    if item.result.suggestion:
        st.info(f"Say it like this: {plain(item.result.suggestion)}")
if feedback.focus_items:
    with st.expander("Other checklist items"):
        for item in feedback.other_items:
            st.markdown(f"{item_mark(item)} {plain(item.result.label)}")
            if item.result.suggestion:
                st.caption(f"Say it like this: {plain(item.result.suggestion)}")
bottom = st.columns(2)
shared = bottom[0].toggle("Shared with my coach", value=feedback.shared, key=f"practice-share-{call_id}")
if shared != feedback.shared:
    with shown_errors():
        share_practice_call(user, db, call_id, shared=shared)
        st.rerun()
if bottom[1].button("Open the full review"):
    st.session_state[CALL_KEY], st.session_state[JUMP_KEY] = call_id, 0.0
    st.switch_page("pages/call_review.py")
history = pd.DataFrame(
    [{"date": a.created_at, "scenario": a.title, "score": a.score, "shared": a.shared} for a in attempts]
)
table(history, "practice attempts")

"""One call: audio that jumps to any moment, metrics against norms, timeline, checklist with evidence,
coach overrides and agent responses, timestamped comments, transcript and its correction."""

import streamlit as st

from coaching.services.calls import call_audio, list_calls
from coaching.services.practice import get_scenario, share_practice_call
from coaching.views.calls import call_review
from ui import charts
from ui.auth import require_user
from ui.language import language_view
from ui.resources import database
from ui.review import (
    checklist_items,
    comments_view,
    correction_view,
    flags_list,
    legal_hold_view,
    metric_cards,
    quality_note,
    score_basis,
    talk_share_norm,
    transcript_view,
)
from ui.text import plain
from ui.widgets import CALL_KEY, JUMP_KEY, attempt, audio_player, choose, clock, shown_errors

user = require_user()
db = database()
st.title("Call review")
calls = attempt(lambda: list_calls(user, db=db)) or []
if not calls:
    st.info("No calls to review yet. Upload one on the calls page or record a practice call.")
    st.stop()
ids = [c.id for c in calls]
wanted = st.session_state.get(CALL_KEY) or st.query_params.get("call")
labels = {
    c.id: f"{c.created_at:%Y-%m-%d} · {c.agent_id} · {c.call_type} · {c.source_filename or c.id}"
    + (" · corrected" if c.corrected else "")
    + (" · correction pending" if c.correction_pending else "")
    for c in calls
}
call_id: str = choose("Call", labels, index=ids.index(wanted) if wanted in ids else 0)
if call_id != st.session_state.get(CALL_KEY):
    st.session_state[CALL_KEY], st.session_state[JUMP_KEY] = call_id, 0.0
st.query_params["call"] = call_id
review = attempt(lambda: call_review(user, db, call_id))
if review is None:
    st.stop()

call, checklist = review.analysis.call, review.checklist
auto, score = checklist.auto_score, checklist.score
kind = review.call_type + (" · private" if review.is_private else "")
when = f"{review.created_at:%Y-%m-%d %H:%M}"
st.markdown(f"**{plain(review.agent_name)}** · {when} · {call.language} · {clock(call.duration_s)} · {kind}")
language_view(
    user, db, call.id, review.analysis.transcript.language_check, language=call.language, can_redo=review.can_reanalyse
)
for warning in call.warnings:  # the recording itself: same signal on both channels, echo, a silent side
    st.warning(plain(warning), icon=":material/graphic_eq:")
metrics = review.analysis.metrics
ratio, tempo = metrics.talk_ratio_agent, metrics.speakers.agent.articulation_rate_sps
cols = st.columns(4)
cols[0].metric(
    "Checklist score",
    "n/a" if score is None else f"{score:.0f}",
    delta=None if auto is None or score is None or auto == score else f"{score - auto:+.0f} after coach review",
    help="The weight of passed items over the weight of items with a result; uncertain, not applicable and "
    "manual items are left out.",
)
cols[0].caption(score_basis(checklist.scored_items, checklist.total_items))
cols[1].metric(
    "Agent talk share", "n/a" if ratio is None else f"{ratio:.0%}", help=f"Norm {talk_share_norm(call.language)}"
)
cols[2].metric("Agent tempo", "n/a" if tempo is None else f"{tempo:.1f} syll/s", help="Articulation rate")
cols[3].metric("Comments", len(review.comments))
uncertain = sum(1 for i in checklist.items if i.result.uncertain and i.passed is None)
quality_note(review.quality, uncertain)
if call.id.startswith("demo-") or (call.source_filename or "").startswith("DEMO"):
    st.caption("Demo data: this call is derived from a sample call with an edited transcript.")
scenario = get_scenario(review.scenario_id, call.language) if review.scenario_id else None
if scenario is not None:
    st.caption(f"Practice scenario: {plain(scenario.title)}")
if review.can_share:
    shared = st.toggle("Shared with my coach", value=not review.is_private, key=f"share-{call.id}")
    if shared == review.is_private:
        with shown_errors():
            share_practice_call(user, db, call.id, shared=shared)
            st.rerun()
privacy = attempt(lambda: legal_hold_view(user, call.id))
if privacy is not None and privacy.audio_deleted:
    with st.sidebar:
        st.markdown("**Call audio**")
        st.caption("Audio deleted under the retention policy; the transcript and analysis are kept.")
else:
    recording = attempt(lambda: call_audio(user, db, call.id))  # playing is recorded in the audit log
    audio_player(str(recording) if recording else None)

overview, items, transcript, comments, correct = st.tabs(
    ["Overview", "Checklist", "Transcript", f"Comments ({len(review.comments)})", "Correct transcript"]
)
with overview:
    metric_cards(review.analysis.metrics)
    st.markdown("**Flagged moments**")
    flags_list(review.analysis.metrics)
    event = st.plotly_chart(
        charts.timeline(review.analysis), key=f"timeline-{call.id}", on_select="rerun", selection_mode="points"
    )
    points = getattr(getattr(event, "selection", None), "points", None) or []
    data = points[0].get("customdata") if points else None
    picked = float(data[0] if isinstance(data, list) else data) if data is not None else None
    if picked is not None and picked != st.session_state.get("timeline_pick"):  # a new click, not a kept selection
        st.session_state["timeline_pick"] = st.session_state[JUMP_KEY] = picked
        st.rerun()
    st.caption("Click a bar or point in the chart to play the call from there.")
    direction = review.analysis.metrics.customer_trajectory.direction
    st.caption(f"Customer words from the first third to the last: **{direction.replace('_', ' ')}**.")
with items:
    checklist_items(user, review)
with transcript:
    transcript_view(review)
with comments:
    comments_view(user, review)
with correct:
    correction_view(user, review)

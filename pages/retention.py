"""Retention (admins): how long audio, calls and survey answers are kept, and what the next run would delete.
The job worker runs the policy once a day; erasing a person is done with ``python -m coaching erase``."""

import streamlit as st

from coaching.services.retention import describe, retention_policy, run_retention, save_retention
from coaching.settings import RetentionSettings
from ui.auth import require_user
from ui.resources import database, settings
from ui.widgets import attempt, shown_errors

user = require_user()
db = database()
st.title("Retention")
if user.role != "admin":
    st.info("Only admins set the retention policy.")
    st.stop()
policy = retention_policy(db, settings=settings())
st.markdown(f"In force: **{describe(policy)}**.")
st.caption(
    "The job worker deletes what expired once a day. Calls under legal hold (set by a manager on the call's "
    "review page, or `python -m coaching hold`) keep everything. Leave a box at 0 to keep forever."
)
FIELDS = (
    ("audio_days", "Keep recordings (days)", "After this the audio goes; the transcript and analysis stay."),
    ("transcript_days", "Keep calls (days)", "After this the whole call goes: transcript, analyses, comments, audio."),
    ("survey_days", "Keep survey answers (days)", "Counted from the day the customer answered."),
)
with st.form("retention-form"):
    chosen = {
        name: st.number_input(label, min_value=0, step=1, value=getattr(policy, name) or 0, help=help_text)
        for name, label, help_text in FIELDS
    }
    if st.form_submit_button("Save the policy", type="primary"):
        with shown_errors():
            saved = save_retention(user, db, RetentionSettings(**{k: int(v) or None for k, v in chosen.items()}))
            st.success(f"Saved: {describe(saved)}.")
            st.rerun()

left, right = st.columns(2)
if left.button("Preview the next run"):
    preview = attempt(lambda: run_retention(user, db, settings=settings(), dry_run=True))
    if preview is not None:
        st.info(preview.summary())
if right.button("Run now"):
    report = attempt(lambda: run_retention(user, db, settings=settings()))
    if report is not None:
        st.success(report.summary())
        for path in report.files_left:
            st.warning(f"Not removed (outside the data directory or not removable): {path}")

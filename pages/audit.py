"""Audit log (managers, admins): who opened, played, exported or changed what, and when. Read only: nothing here
edits or deletes an entry (the database refuses it too). The CSV download is itself recorded."""

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from coaching.services.audit import AUDIT_ACTIONS, AUDIT_COLUMNS, entry_records, list_audit
from ui.auth import require_user
from ui.resources import database
from ui.widgets import attempt, table

user = require_user()
db = database()
st.title("Audit log")
st.caption(
    "Every opening, playing, export and change of calls, transcripts, surveys, users, teams, checklists and "
    "retention, with who did it and when (UTC). Entries cannot be edited or deleted."
)

cols = st.columns([2, 2, 3, 2])
period = cols[0].date_input("Dates", value=(date.today() - timedelta(days=30), date.today()), key="audit_dates")
actor = cols[1].text_input("Actor (user id)", key="audit_actor").strip()
actions = cols[2].multiselect("Actions", AUDIT_ACTIONS, key="audit_actions")
object_id = cols[3].text_input("Object id (call, user, ...)", key="audit_object").strip()
days = tuple(period) if isinstance(period, tuple | list) else (period,)
since = datetime.combine(days[0], time(), tzinfo=UTC) if days else None
until = datetime.combine(days[-1] + timedelta(days=1), time(), tzinfo=UTC) if days else None

entries = attempt(
    lambda: list_audit(
        user, db, since=since, until=until, actor_id=actor or None, actions=tuple(actions), object_id=object_id or None
    )
)
if entries is None:
    st.stop()
if not entries:
    st.info("No entries match. Widen the dates or clear a filter.")
    st.stop()
frame = pd.DataFrame(entry_records(entries), columns=list(AUDIT_COLUMNS)).iloc[::-1]  # newest first
table(frame, "audit log", caption=f"{len(frame)} entries, newest first")

"""Agent progress: checklist score and items over time beside the NPS trend (n and intervals), FCR,
tempo and talk share."""

import streamlit as st

from coaching.views.progress import agent_progress, visible_agents
from ui import charts
from ui.auth import require_user
from ui.resources import database, settings
from ui.widgets import attempt, choose, table

user = require_user()
db = database()
st.title("My progress" if user.role == "agent" else "Agent progress")
if user.role == "agent":
    agent_id = str(user.agent_id)
else:
    agents = visible_agents(user, db)
    names = {a: f"{n} ({t})" for a, n, t in agents}
    if not names:
        st.info("No agents to show.")
        st.stop()
    agent_id = choose("Agent", names, key="progress_agent")
by = st.radio("Per", ["month", "week"], horizontal=True, key="progress_by")
progress = attempt(lambda: agent_progress(user, db, agent_id, by=by, outcome_settings=settings().outcomes))
if progress is None:
    st.stop()

calls = progress.calls
real = calls[calls["call_type"] == "real"]
cols = st.columns(4)
cols[0].metric("Calls analysed", len(real), help="Real calls; practice calls are shown in the score chart only")
cols[1].metric("Average score", "n/a" if real["score"].dropna().empty else f"{real['score'].mean():.0f}")
latest = progress.nps.dropna(subset=["nps"]).tail(1) if not progress.nps.empty else progress.nps
cols[2].metric(
    "NPS, latest period",
    "n/a" if latest.empty else f"{latest['nps'].iloc[0]:+.0f}",
    help=None
    if latest.empty
    else f"n={latest['n'].iloc[0]}, 95 % interval {latest['ci_low'].iloc[0]:+.0f} to {latest['ci_high'].iloc[0]:+.0f}",
)
fcr = progress.fcr.dropna(subset=["fcr"]).tail(1) if not progress.fcr.empty else progress.fcr
cols[3].metric("First-contact resolution", "n/a" if fcr.empty else f"{fcr['fcr'].iloc[0]:.0f} %")

left, right = st.columns(2)
with left:
    st.subheader("Checklist score")
    st.plotly_chart(charts.score_trend(calls), key="score-trend")
with right:
    st.subheader("NPS")
    if progress.nps.empty:
        st.caption("No survey answers for this agent yet.")
    else:
        st.plotly_chart(charts.with_interval(progress.nps, value="nps", group=None, title="NPS"), key="nps-trend")
        st.caption("Error bars: 95 % interval; n = answers behind each value. Few answers make NPS swing widely.")

st.subheader("Checklist items over time")
if progress.item_rates.empty:
    st.caption("No checklist results yet.")
else:
    st.plotly_chart(charts.item_heatmap(progress.item_rates), key="item-heatmap")
st.subheader("Tempo and talk share")
st.plotly_chart(charts.delivery_trend(real), key="delivery-trend")
st.caption("Delivery figures describe tempo and talk share only; they do not judge how anyone feels.")
if not progress.fcr.empty:
    st.subheader("First-contact resolution")
    st.plotly_chart(charts.with_interval(progress.fcr, value="fcr", group=None, title="FCR %"), key="fcr-trend")

with st.expander("Tables"):
    table(calls.drop(columns=["out_of_norm"]), "calls over time")
    table(progress.item_rates, "item pass rates")
    table(progress.nps, "nps")
    table(progress.fcr, "fcr")

"""Team (manager, coach): competence map with growth and coverage, NPS and FCR per agent and team,
and calibration of automatic results against coach overrides and agent self-assessment."""

import streamlit as st

from coaching.services.admin import list_teams
from coaching.views.team import LEVEL_NAMES, calibration, competence_map, team_outcomes
from ui import charts
from ui.auth import require_user
from ui.resources import database, settings
from ui.text import plain
from ui.widgets import attempt, choose, table

user = require_user()
db = database()
st.title("Team")
teams = {t.id: t.name for t in list_teams(user, db) if user.role == "manager" or t.id in user.team_ids}
if user.role == "manager":  # one team first: the whole organisation (100 000 calls a year) is a slower overview
    choice = choose("Team", {**teams, "": "All teams"}, key="team_choice")
else:
    choice = choose("Team", {"": "All my teams", **teams}, key="team_choice")
team_id = choice or None

competences, outcomes, calibrate = st.tabs(["Competence map", "NPS and FCR", "Calibration"])
with competences:
    cmap = attempt(lambda: competence_map(user, db, team_id=team_id))
    if cmap is not None:
        st.caption(
            "Level per agent and competence: "
            + ", ".join(f"{k} {v}" for k, v in LEVEL_NAMES.items())
            + ". From the pass share of the checklist items in the agent's last 10 calls, averaged with the coach's "
            "newest rating; knowledge areas come from coach ratings only. Blank: nothing known yet."
        )
        st.plotly_chart(charts.competence_heatmap(cmap.levels), key="competence-heatmap")
        left, right = st.columns(2)
        with left:
            st.markdown("**Coverage: agents proficient (level 3+) per competence**")
            st.plotly_chart(
                charts.bars(cmap.coverage, x="competence", ys=["proficient", "rated"], title="agents"), key="coverage"
            )
            gaps = cmap.coverage[cmap.coverage["gap"]]["competence"].tolist()
            if gaps:
                st.warning("Fewer than two proficient agents: " + ", ".join(plain(g) for g in gaps))
        with right:
            st.markdown("**Growth: the team's mean level per month**")
            st.plotly_chart(
                charts.lines(cmap.growth, x="month", y="level", color="competence", title="level"), key="growth"
            )
        table(cmap.levels, "competence levels")
        table(cmap.coverage, "coverage")
with outcomes:
    by = st.radio("Per", ["month", "week"], horizontal=True, key="team_by")
    result = attempt(lambda: team_outcomes(user, db, team_id=team_id, by=by, outcome_settings=settings().outcomes))
    if result is not None:
        if result.nps_teams.empty:
            st.info("No survey answers yet. Import them with `python -m coaching import-nps FILE`.")
        else:
            st.markdown("**NPS per team** (error bars: 95 % interval; n per point)")
            st.plotly_chart(
                charts.with_interval(result.nps_teams, value="nps", group="team", title="NPS"), key="nps-teams"
            )
            st.markdown("**NPS per agent**")
            st.plotly_chart(
                charts.with_interval(result.nps_agents, value="nps", group="agent", title="NPS"), key="nps-agents"
            )
            st.markdown("**First-contact resolution per team**")
            st.plotly_chart(
                charts.with_interval(result.fcr_teams, value="fcr", group="team", title="FCR %"), key="fcr-teams"
            )
            table(result.nps_agents, "nps per agent")
            table(result.nps_teams, "nps per team")
            table(result.fcr_agents, "fcr per agent")
            table(result.fcr_teams, "fcr per team")
with calibrate:
    frame = attempt(lambda: calibration(user, db, team_id=team_id))
    if frame is not None:
        if frame.empty:
            st.info("No analysed calls yet.")
        else:
            st.caption(
                "How often coaches (overrides and confirmations) and agents (acknowledge / dispute) agree with the "
                "automatic result per checklist item. Low agreement: the item's detector or wording needs a look."
            )
            st.plotly_chart(
                charts.bars(frame, x="item", ys=["coach_agrees", "agent_agrees"], title="agreement"), key="calibration"
            )
            table(frame, "calibration")

"""Settings: the checklist editor (versioned; coaches and managers), users, teams and roles, languages and
the speech model (managers)."""

from dataclasses import asdict, fields

import pandas as pd
import streamlit as st

from coaching.services.admin import (
    APP_ROLES,
    TeamEntry,
    UserEntry,
    list_teams,
    list_users,
    models_here,
    preferences,
    save_preferences,
    save_team,
    save_user,
)
from coaching.services.checklists import activate_version, list_versions, rescore_calls, save_version, version_text
from coaching.settings import SUPPORTED_LANGUAGES
from ui.auth import require_user
from ui.resources import analysis_config, database, settings
from ui.widgets import attempt, shown_errors, table

user = require_user()
db = database()
st.title("Settings")
manager = user.role == "manager"
tabs = st.tabs(["Checklist", "Users and teams", "Languages and model"] if manager else ["Checklist"])

with tabs[0]:
    versions = attempt(lambda: list_versions(user, db)) or []
    table(
        pd.DataFrame(
            [
                {"version": v.version_id, "title": v.title, "note": v.note, "active": v.active, "by": v.created_by}
                for v in versions
            ]
        ),
        "checklist versions",
        caption="The active version scores new analyses and corrections; older analyses keep their version.",
    )
    ids = [v.version_id for v in versions]
    if ids:
        base = st.selectbox(
            "Start from", ids, index=next((i for i, v in enumerate(versions) if v.active), 0), key="checklist_base"
        )
        if not next(v for v in versions if v.version_id == base).active and st.button("Make this version active"):
            with shown_errors():
                activate_version(user, db, base)
                st.rerun()
        text = st.text_area(
            "Checklist (YAML). Raise `version:` and save to make a new version.",
            value=attempt(lambda: version_text(user, db, base)) or "",
            height=420,
            key=f"checklist-text-{base}",
        )
        note = st.text_input("What changed", key="checklist_note")
        if st.button("Save as a new version", type="primary"):
            with shown_errors():
                saved = save_version(user, db, text, note=note)
                st.success(f"Saved {saved.version_id}; it now scores new analyses.")
        st.caption("Stored calls keep the version they were scored with until you re-score them.")
        if st.button("Re-score stored calls with the active version"):
            with shown_errors():
                report = rescore_calls(user, db, checklist=analysis_config().checklist)
                st.success(
                    f"Re-scored {report.rescored} calls with {report.version_id} "
                    f"({report.skipped} already used it); older results stay in the history."
                )

if manager:
    with tabs[1]:
        teams = list_teams(user, db)
        users = attempt(lambda: list_users(user, db)) or []
        table(pd.DataFrame([asdict(u) for u in users], columns=[f.name for f in fields(UserEntry)]), "users")
        team_ids = [t.id for t in teams]
        with st.form("user-form", clear_on_submit=True):
            st.markdown("**Add or change a user** (same id changes the user)")
            cols = st.columns(4)
            user_id = cols[0].text_input("Id")
            name = cols[1].text_input("Name")
            role = cols[2].selectbox("Role", APP_ROLES)
            member = cols[3].multiselect("Teams (one for an agent)", team_ids)
            active = st.checkbox("Active", value=True)
            if st.form_submit_button("Save user"):
                with shown_errors():
                    saved_id = save_user(
                        user, db, user_id=user_id, name=name, role=role, team_ids=tuple(member), active=active
                    )
                    st.success(f"Saved {saved_id}.")
        table(pd.DataFrame([asdict(t) for t in teams], columns=[f.name for f in fields(TeamEntry)]), "teams")
        with st.form("team-form", clear_on_submit=True):
            team_cols = st.columns(2)
            team_id = team_cols[0].text_input("Team id")
            team_name = team_cols[1].text_input("Team name")
            if st.form_submit_button("Save team"):
                with shown_errors():
                    saved_team = save_team(user, db, team_id=team_id, name=team_name)
                    st.success(f"Saved {saved_team}.")
    with tabs[2]:
        prefs = preferences(db)
        effective = analysis_config().settings  # the saved model and languages over the environment
        models = models_here(settings())
        names = [m.name for m in models]
        current = effective.whisper_model or next((m.name for m in models if m.default), None)
        with st.form("prefs"):
            languages = st.multiselect(
                "Languages detection may choose",
                list(SUPPORTED_LANGUAGES),
                default=list(effective.languages),
            )
            model = st.selectbox(
                "Speech model for new analyses",
                names or ["(none found)"],
                index=names.index(current) if current in names else 0,
                help="`small` or larger is better for Finnish and Swedish; see the README for how to add one.",
            )
            areas = st.text_area(
                "Knowledge areas (one per line) for the competence map", value="\n".join(prefs.knowledge_areas)
            )
            if st.form_submit_button("Save"):
                with shown_errors():
                    save_preferences(
                        user,
                        db,
                        languages=tuple(languages),
                        whisper_model=model if names else None,
                        knowledge_areas=tuple(areas.splitlines()),
                    )
                    st.success("Saved. New analyses use these settings, in the app and on the command line.")
        st.caption(
            "Models found here: " + (", ".join(f"{m.name} ({', '.join(m.languages)})" for m in models) or "none")
        )

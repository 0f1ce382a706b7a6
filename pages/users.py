"""Users and teams (admins): who signs in with which identity, their role, teams and whether they are active.
Retention settings belong to admins too (see the README's "Retention and erasure")."""

from dataclasses import asdict, fields

import pandas as pd
import streamlit as st

from coaching.services.admin import APP_ROLES, TeamEntry, UserEntry, list_teams, list_users, save_team, save_user
from ui.auth import require_user
from ui.resources import database
from ui.widgets import attempt, shown_errors, table

user = require_user()
db = database()
st.title("Users and teams")
st.caption(
    "People sign in with the organisation's identity provider. A user is matched on the provider's subject; "
    "until one is stored, on the e-mail address when the provider has verified it (the subject is then stored). "
    "Anyone else is asked to contact their manager."
)
users = attempt(lambda: list_users(user, db))
if users is None:
    st.stop()
teams = list_teams(user, db)
table(pd.DataFrame([asdict(u) for u in users], columns=[f.name for f in fields(UserEntry)]), "users")
with st.form("user-form", clear_on_submit=True):
    st.markdown("**Add or change a user** (same id changes the user; an empty subject or e-mail keeps the stored one)")
    cols = st.columns(4)
    user_id = cols[0].text_input("Id")
    name = cols[1].text_input("Name")
    role = cols[2].selectbox("Role", APP_ROLES)
    member = cols[3].multiselect("Teams (one for an agent)", [t.id for t in teams])
    identity_cols = st.columns(2)
    email = identity_cols[0].text_input("E-mail (matched when the provider verified it)")
    subject = identity_cols[1].text_input("Sign-in subject (the provider's `sub`)")
    active = st.checkbox("Active", value=True)
    if st.form_submit_button("Save user"):
        with shown_errors():
            saved_id = save_user(
                user,
                db,
                user_id=user_id,
                name=name,
                role=role,
                team_ids=tuple(member),
                active=active,
                subject=subject or None,
                email=email or None,
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

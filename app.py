"""Streamlit entry point: sign-in (``ui/auth``) and the pages the signed-in role may use. Run with `make run`."""

from __future__ import annotations

import streamlit as st

from coaching.demo.seed import ensure_demo_users
from coaching.runtime import freeze_startup_heap
from coaching.services.admin import sign_in_choices
from ui.auth import provider_configured, signed_in_user
from ui.resources import database

PAGES = {
    "practice": ("pages/practice.py", "Practice", ":material/mic:"),
    "my_calls": ("pages/calls.py", "My calls", ":material/call:"),
    "team_calls": ("pages/calls.py", "Team calls", ":material/call:"),
    "all_calls": ("pages/calls.py", "Calls", ":material/call:"),
    "review": ("pages/call_review.py", "Call review", ":material/manage_search:"),
    "coaching": ("pages/coaching_sessions.py", "Coaching sessions", ":material/forum:"),
    "my_coaching": ("pages/coaching_sessions.py", "My coaching", ":material/forum:"),
    "progress": ("pages/progress.py", "Agent progress", ":material/trending_up:"),
    "my_progress": ("pages/progress.py", "My progress", ":material/trending_up:"),
    "team": ("pages/team.py", "Team", ":material/grid_view:"),
    "settings": ("pages/settings.py", "Settings", ":material/settings:"),
    "audit": ("pages/audit.py", "Audit log", ":material/history:"),
    "users": ("pages/users.py", "Users and teams", ":material/group:"),
    "retention": ("pages/retention.py", "Retention", ":material/auto_delete:"),
}
ROLE_PAGES = {
    "agent": ("practice", "my_calls", "review", "my_progress", "my_coaching"),
    "coach": ("team_calls", "review", "coaching", "progress", "team", "settings"),
    "manager": ("team", "all_calls", "review", "progress", "coaching", "settings", "audit"),
    # users, teams, roles, retention and the audit log; never call content
    "admin": ("users", "retention", "audit"),
}


def run() -> None:
    st.set_page_config(page_title="Call coaching", page_icon=":material/support_agent:", layout="wide")
    if not provider_configured() and not sign_in_choices(database()):
        ensure_demo_users(database())  # demo mode on an empty database: the demo people to pick from
    user = signed_in_user()
    if user is None or user.role not in ROLE_PAGES:
        page = st.navigation([st.Page("pages/welcome.py", title="Sign in", icon=":material/login:", default=True)])
    else:
        pages = []
        for n, name in enumerate(ROLE_PAGES[user.role]):
            path, title, icon = PAGES[name]
            pages.append(st.Page(path, title=title, icon=icon, default=n == 0))
        page = st.navigation(pages)
    page.run()
    freeze_startup_heap()  # once per server: the modules the first run loaded stay out of later collections


run()

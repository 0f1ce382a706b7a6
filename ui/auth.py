"""Who is signed in. Real sign-in plugs in at :func:`identity_provider_user`; until then the app runs in
demo mode, where anyone picks a demo user in the sidebar (clearly marked).

The chosen demo user is kept in the session and in the page address (``?as=<id>``), so a browser refresh
keeps the same user.
"""

from __future__ import annotations

import streamlit as st

from coaching.access import User
from coaching.services.admin import sign_in_choices, user_by_id
from ui.resources import database

USER_PARAM = "as"
IDENTITY_KEY = "signed_in_as"
_WIDGET_KEY = "sign_in_choice"
_NOBODY = ""


def identity_provider_user() -> User | None:
    """The user from a configured identity provider (``st.login`` / ``st.user`` → an app user).

    None means no identity provider is configured: demo mode. The access issue replaces this function.
    """
    return None


def signed_in_user() -> User | None:
    """The acting user for this run: from the identity provider, else the demo sign-in in the sidebar."""
    real = identity_provider_user()
    if real is not None:
        return real
    return _demo_sign_in()


def current_user() -> User | None:
    """The user chosen by :func:`signed_in_user` in this session (pages call this)."""
    real = identity_provider_user()
    if real is not None:
        return real
    chosen = st.session_state.get(IDENTITY_KEY) or _NOBODY
    return user_by_id(database(), chosen) if chosen else None


def require_user() -> User:
    """The signed-in user, or stop the page with a hint."""
    user = current_user()
    if user is None:
        st.info("Sign in first: pick a demo user in the sidebar.")
        st.stop()
    return user


def _remember_choice() -> None:
    st.session_state[IDENTITY_KEY] = st.session_state[_WIDGET_KEY]


def _demo_sign_in() -> User | None:
    """The identity lives in its own session key, set only when the person picks someone; the widget merely
    shows it (widget state can be reset when the page set changes after signing in)."""
    db = database()
    choices = sign_in_choices(db)
    names = {u.id: f"{u.name} ({u.role})" for u in choices}
    if IDENTITY_KEY not in st.session_state:
        st.session_state[IDENTITY_KEY] = st.query_params.get(USER_PARAM, _NOBODY)
    if st.session_state[IDENTITY_KEY] not in names:
        st.session_state[IDENTITY_KEY] = _NOBODY
    chosen = st.session_state[IDENTITY_KEY]
    st.session_state[_WIDGET_KEY] = chosen
    with st.sidebar:
        st.warning("**DEMO MODE** · no identity provider is configured. Pick any demo user; nothing is verified.")
        st.selectbox(
            "Signed in as",
            [_NOBODY, *names],
            key=_WIDGET_KEY,
            on_change=_remember_choice,
            format_func=lambda user_id: names.get(user_id, "— sign in —"),
        )
    if chosen:
        if st.query_params.get(USER_PARAM) != chosen:
            st.query_params[USER_PARAM] = chosen
    elif USER_PARAM in st.query_params:
        del st.query_params[USER_PARAM]
    return user_by_id(db, chosen) if chosen else None

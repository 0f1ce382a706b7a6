"""Who is signed in: the only place pages and the app get the acting user from.

With an identity provider configured (an ``[auth]`` section in ``.streamlit/secrets.toml``) people sign in with
``st.login`` (OpenID Connect). Streamlit keeps the provider's verified claims in a signed cookie (``st.user``);
:func:`coaching.services.admin.user_for_identity` matches them to an active app user by subject, or by a verified
e-mail. An unknown or deactivated identity gets no user ("Ask your manager for access"), never a default role,
and demo sign-in is refused.

Without a provider the app runs in demo mode: anyone picks a demo user in the sidebar (clearly marked). The
choice lives only in this browser session (``st.session_state``), never in the address: ``?as=`` is not an
identity, so a shared link cannot sign its reader in as the sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit import config as streamlit_config

from coaching.access import User
from coaching.services.admin import sign_in_choices, user_by_id, user_for_identity
from ui.resources import database

IDENTITY_KEY = "signed_in_as"  # demo mode only: the chosen demo user's id
_WIDGET_KEY = "sign_in_choice"
_NOBODY = ""
DEFAULT_PROVIDER = "default"  # st.login()'s name for the provider set directly under [auth]


def _auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the secrets, or None when there is none (demo mode). A secrets file that exists
    but does not load counts as a broken provider set-up (nobody signs in), never as demo mode."""
    secrets = st.secrets
    if not secrets.load_if_toml_exists():
        files = streamlit_config.get_option("secrets.files") or []
        return {} if any(Path(f).expanduser().is_file() for f in files) else None
    if "auth" not in secrets:
        return None
    section = secrets["auth"]
    return section if isinstance(section, Mapping) else {}


def provider_configured() -> bool:
    """Whether sign-in goes through an identity provider (any ``[auth]`` section: then never demo mode)."""
    return _auth_section() is not None


def login_provider() -> str | None:
    """The provider name for ``st.login``: ``default`` (settings directly under ``[auth]``) or the one named
    ``[auth.NAME]`` section. None when the section names no provider or several (misconfigured: nobody signs in,
    because subjects are only unique within one provider)."""
    section = _auth_section()
    if section is None:
        return None
    names = [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]
    if "client_id" in section:
        names.append(DEFAULT_PROVIDER)
    return names[0] if len(names) == 1 else None


def identity() -> Mapping[str, Any] | None:
    """The signed-in identity's claims (``sub``, ``email``, ``email_verified``, ``name``…) from the provider, or
    None when nobody is signed in with it (and always in demo mode)."""
    if not provider_configured():
        return None
    claims = st.user.to_dict()
    return claims if claims.get("is_logged_in") is True and claims.get("sub") else None


def _provider_user() -> User | None:
    claims = identity()
    if claims is None:
        return None
    email = claims.get("email")
    verified = claims.get("email_verified") in (True, "true", "True")  # some providers send the string
    return user_for_identity(
        database(), subject=str(claims["sub"]), email=str(email) if email else None, email_verified=verified
    )


def signed_in_user() -> User | None:
    """The acting user for this run, drawing the sidebar's sign-in part (``app.py`` calls this once a run)."""
    if provider_configured():
        user = _provider_user()
        if user is not None:
            with st.sidebar:
                st.text(f"Signed in as {user.name or user.id} ({user.role})")  # plain text: names are user text
                if st.button("Sign out", key="sign_out"):
                    st.logout()
        return user
    return _demo_sign_in()


def current_user() -> User | None:
    """The acting user (pages call this through :func:`require_user`): from the identity provider, or in demo mode
    the demo user picked in this session. Rebuilt from the database on every run."""
    if provider_configured():
        return _provider_user()
    chosen = st.session_state.get(IDENTITY_KEY) or _NOBODY
    return user_by_id(database(), chosen) if chosen else None


def require_user() -> User:
    """The signed-in user, or stop the page with a hint."""
    user = current_user()
    if user is None:
        st.info("Sign in first." if provider_configured() else "Sign in first: pick a demo user in the sidebar.")
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
    if st.session_state.get(IDENTITY_KEY, _NOBODY) not in names:
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
    return user_by_id(db, chosen) if chosen else None

"""Shown before sign-in: the provider's sign-in button, "ask your manager for access" for an identity that is no
app user, or (without a provider) the demo mode explanation."""

import streamlit as st

from ui.auth import identity, login_provider, provider_configured

st.title("Call coaching")
st.write(
    "Record or upload customer-service calls and get a transcript, conversation metrics (tempo, talk share, "
    "silences, interruptions) and an empathy checklist with evidence for every result, beside the NPS trend. "
    "Everything runs offline, in Finnish, Swedish and English."
)
if not provider_configured():
    st.info(
        "**Demo mode:** no identity provider is configured. Pick a demo user in the sidebar: an **agent** "
        "practises and reviews their own calls, a **coach** reviews the team's calls and runs coaching sessions, a "
        "**manager** follows competence growth, NPS and first-contact resolution, an **admin** manages users, "
        "teams, retention and the audit log."
    )
    st.caption(
        "Demo calls with ids starting `demo-` are derived from the sample calls in `audio_samples/` and are not "
        "real customer calls. Demo survey answers are generated."
    )
elif (provider := login_provider()) is None:
    st.error(
        "Sign-in is not set up correctly: `.streamlit/secrets.toml` must load, and its `[auth]` section configure "
        "exactly one identity provider. Ask your administrator."
    )
elif (claims := identity()) is None:
    st.write("Sign in with your organisation's account.")
    if st.button("Sign in", type="primary"):
        st.login(provider)
else:
    st.warning("**Ask your manager for access.** No active user of this app has the account you signed in with.")
    who = claims.get("email") or claims.get("name") or ""
    st.text(f"Signed in as: {who}\nSign-in subject (give it to your manager): {claims.get('sub')}")  # plain text
    if st.button("Sign out"):
        st.logout()

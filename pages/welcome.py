"""Shown before sign-in."""

import streamlit as st

st.title("Call coaching")
st.write(
    "Record or upload customer-service calls and get a transcript, conversation metrics (tempo, talk share, "
    "silences, interruptions) and an empathy checklist with evidence for every result, beside the NPS trend. "
    "Everything runs offline, in Finnish, Swedish and English."
)
st.info(
    "**Demo mode:** no identity provider is configured. Pick a demo user in the sidebar: an **agent** practises "
    "and reviews their own calls, a **coach** reviews the team's calls and runs coaching sessions, a **manager** "
    "follows competence growth, NPS and first-contact resolution."
)
st.caption(
    "Demo calls with ids starting `demo-` are derived from the sample calls in `audio_samples/` and are not real "
    "customer calls. Demo survey answers are generated."
)

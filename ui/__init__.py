"""Streamlit-only helpers: cached resources, session state, demo sign-in."""

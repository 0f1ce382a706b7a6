"""Settings: the checklist editor (versioned; coaches and managers), languages and the speech model (managers).
Users, teams and roles are the admins' page (pages/users.py)."""

import pandas as pd
import streamlit as st

from coaching.access import can_activate_checklist
from coaching.services.admin import models_here, preferences, save_preferences
from coaching.services.checklists import (
    activate_version,
    list_versions,
    rescore_calls,
    rescore_count,
    save_version,
    version_text,
)
from coaching.settings import SUPPORTED_LANGUAGES
from ui.auth import require_user
from ui.language import language_defaults_view
from ui.resources import analysis_config, database, settings
from ui.text import plain
from ui.widgets import attempt, shown_errors, table

ACTIVATE_KEY = "checklist_to_activate"
user = require_user()
db = database()
st.title("Settings")
manager = user.role == "manager"
tabs = st.tabs(["Checklist", "Languages and model", "Call languages"] if manager else ["Checklist", "Call languages"])

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
        activates = can_activate_checklist(user)  # organisation-wide: managers; coaches save versions for them
        inactive = not next(v for v in versions if v.version_id == base).active
        if activates and inactive and st.button("Make this version active"):
            st.session_state[ACTIVATE_KEY] = base
        pending = str(st.session_state.get(ACTIVATE_KEY, ""))
        if activates and pending in ids:
            count = attempt(lambda: rescore_count(user, db, pending)) or 0
            st.warning(
                f"Activate {plain(pending)} for the whole organisation? It scores every new analysis and correction "
                f"from now on, and **{count} stored calls** will be re-scored with it (their older results stay "
                "in the history)."
            )
            confirm, cancel = st.columns(2)
            if confirm.button(f"Activate and re-score {count} calls", type="primary", key="activate-confirm"):
                with shown_errors():
                    activate_version(user, db, pending)
                    report = rescore_calls(user, db)
                    st.session_state.pop(ACTIVATE_KEY, None)
                    st.success(f"{plain(pending)} is active; re-scored {report.rescored} calls.")
            if cancel.button("Cancel", key="activate-cancel"):
                st.session_state.pop(ACTIVATE_KEY, None)
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
                saved = save_version(user, db, text, note=note, activate=False)
                if activates:
                    st.session_state[ACTIVATE_KEY] = saved.version_id
                    st.rerun()
                st.success(f"Saved {plain(saved.version_id)}; a manager makes it the active version.")
        st.caption("Stored calls keep the version they were scored with until you re-score them.")
        if st.button("Re-score stored calls with the active version"):
            with shown_errors():
                report = rescore_calls(user, db, checklist=analysis_config().checklist)
                st.success(
                    f"Re-scored {report.rescored} calls with {plain(report.version_id)} "
                    f"({report.skipped} already used it); older results stay in the history."
                )

if manager:
    with tabs[1]:
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

with tabs[-1]:
    language_defaults_view(user, db)

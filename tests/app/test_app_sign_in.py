"""Sign-in: an identity provider's signed-in ``st.user`` is matched to an app user by subject or verified e-mail;
anyone else is asked to get access; ``?as=`` never signs anyone in; admins manage people but see no calls; jobs
run with the submitter's rights as they are when the job runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from audio_samples.truth import audio_path
from coaching.access import User, can_read_call
from coaching.errors import AccessError
from coaching.services.admin import list_teams, list_users, save_user, user_by_id, user_for_identity
from coaching.services.calls import get_analysis, list_calls
from coaching.services.jobs import FAILED, get_job, submit_analysis
from coaching.settings import Settings
from coaching.store.audit import AuditRow
from coaching.store.db import Database
from coaching.views.progress import visible_agents
from tests.app_helpers import APP, SIGN_IN_KEY, TruthTranscriber, isolate_secrets, run_jobs, set_secrets_files

pytest_plugins = ("tests.app_helpers",)
People = Callable[[str], User]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-32-characters",
    "client_id": "coaching",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
Open = Callable[..., AppTest]


@pytest.fixture
def open_as(app_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Open]:
    """``open_as(user=..., secrets=..., query=..., demo_choice=...)`` runs the app once with that ``st.user``."""
    import ui.resources

    isolate_secrets(monkeypatch)
    st.cache_resource.clear()
    monkeypatch.setattr(ui.resources, "make_transcriber", lambda settings: TruthTranscriber("en_short"))

    def run(
        *,
        user: dict[str, Any] | None = None,
        secrets: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
        demo_choice: str | None = None,
    ) -> AppTest:
        at = AppTest.from_file(APP)
        at.user = dict(user or {})
        at.secrets = dict(secrets or {})
        at.query_params = dict(query or {})
        if demo_choice is not None:
            at.session_state[SIGN_IN_KEY] = demo_choice
        return at.run()

    yield run
    st.cache_resource.clear()


def _signed_in(sub: str, **claims: Any) -> dict[str, Any]:
    return {"is_logged_in": True, "sub": sub, "iss": "https://login.example.org", **claims}


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _no_access(at: AppTest) -> bool:
    return any("Ask your manager for access" in w.value for w in at.warning)


def _subject(db: Database, admin: User, user_id: str) -> str:
    return next(u.subject for u in list_users(admin, db) if u.id == user_id)


def test_a_known_subject_gets_their_pages_and_nothing_from_the_address(
    open_as: Open, app_db: Database, people: People
) -> None:
    save_user(
        people("admin"),
        app_db,
        user_id="coach-north",
        name="Kaisa Korhonen",
        role="coach",
        team_ids=("team-north",),
        subject="kc-7f3a",
    )
    at = open_as(user=_signed_in("kc-7f3a"), secrets={"auth": AUTH}, query={"as": "manager"})
    assert not _problems(at)
    assert at.title[0].value == "Team calls"
    assert any("Kaisa Korhonen" in t.value and "coach" in t.value for t in at.sidebar.text)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    with pytest.raises(Exception, match=r"(?i)page"):
        at.switch_page("pages/users.py").run()  # a coach is not an admin, whatever the address says
    at.switch_page("pages/team.py").run()
    assert at.title[0].value == "Team"


def test_a_verified_email_signs_in_once_and_stores_the_subject(open_as: Open, app_db: Database, people: People) -> None:
    admin = people("admin")
    save_user(admin, app_db, user_id="manager", name="Maria Manager", role="manager", email="Maria@Example.org")
    assert _subject(app_db, admin, "manager") == ""
    claims = _signed_in("entra-42", email="maria@example.org", email_verified=True)
    at = open_as(user=claims, secrets={"auth": AUTH})
    assert not _problems(at) and not _no_access(at)
    assert at.title[0].value == "Team"
    assert _subject(app_db, admin, "manager") == "entra-42"
    with app_db.transaction() as session:
        linked = session.scalars(select(AuditRow).where(AuditRow.object_id == "manager")).all()
        assert [(r.actor_id, r.action) for r in linked][-1] == ("manager", "change_user")
    # from now on the subject decides: the same e-mail from another identity no longer signs in as Maria
    other = open_as(
        user=_signed_in("someone-else", email="maria@example.org", email_verified=True), secrets={"auth": AUTH}
    )
    assert _no_access(other)
    assert _subject(app_db, admin, "manager") == "entra-42"


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_email_gets_no_access(open_as: Open, app_db: Database, people: People, verified: Any) -> None:
    admin = people("admin")
    save_user(admin, app_db, user_id="manager", name="Maria Manager", role="manager", email="maria@example.org")
    claims = _signed_in("attacker", email="maria@example.org")
    if verified is not None:
        claims["email_verified"] = verified
    at = open_as(user=claims, secrets={"auth": AUTH})
    assert not _problems(at)
    assert _no_access(at)
    assert _subject(app_db, admin, "manager") == ""
    with pytest.raises(Exception, match=r"(?i)page"):
        at.switch_page("pages/calls.py").run()


def test_an_unknown_or_deactivated_identity_is_asked_to_get_access(
    open_as: Open, app_db: Database, people: People
) -> None:
    at = open_as(user=_signed_in("nobody-here", email="new@example.org", email_verified=True), secrets={"auth": AUTH})
    assert not _problems(at)
    assert _no_access(at)
    assert any("nobody-here" in t.value for t in at.text)  # the subject to give the manager
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.sidebar.selectbox  # never a demo picker, never a default role
    save_user(
        people("admin"),
        app_db,
        user_id="eero",
        name="Eero Mäkinen",
        role="agent",
        team_ids=("team-north",),
        subject="kc-eero",
        active=False,
    )
    assert _no_access(open_as(user=_signed_in("kc-eero"), secrets={"auth": AUTH}))


def test_with_a_provider_demo_sign_in_is_refused(open_as: Open) -> None:
    at = open_as(
        user={"email": "manager@example.org"}, secrets={"auth": AUTH}, query={"as": "manager"}, demo_choice="manager"
    )
    assert not _problems(at)
    assert not at.sidebar.selectbox and not any("DEMO MODE" in w.value for w in at.sidebar.warning)
    assert [b.label for b in at.button] == ["Sign in"]
    with pytest.raises(Exception, match=r"(?i)page"):
        at.switch_page("pages/calls.py").run()


def test_two_providers_without_a_choice_sign_nobody_in(open_as: Open, app_db: Database, people: People) -> None:
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    secrets = {
        "auth": {
            "redirect_uri": AUTH["redirect_uri"],
            "cookie_secret": AUTH["cookie_secret"],
            "keycloak": provider,
            "entra": provider,
        }
    }
    at = open_as(user={}, secrets=secrets)
    assert at.error and "exactly one identity provider" in at.error[0].value
    assert not at.button


def test_demo_mode_ignores_the_address_and_keeps_the_choice_in_the_session(open_as: Open) -> None:
    shared_link = open_as(query={"as": "manager"})
    assert not _problems(shared_link)
    assert any("DEMO MODE" in w.value for w in shared_link.sidebar.warning)
    assert shared_link.title[0].value == "Call coaching"
    assert shared_link.sidebar.selectbox[0].value == ""
    with pytest.raises(Exception, match=r"(?i)page"):
        shared_link.switch_page("pages/calls.py").run()
    picked = open_as(query={"as": "manager"}, demo_choice="aino")
    assert picked.title[0].value == "Practice"
    picked.selectbox(key="sign_in_choice").set_value("emma").run()
    assert picked.session_state[SIGN_IN_KEY] == "emma"
    assert all(values in (["manager"], "manager") for key, values in picked.query_params.items() if key == "as")


def test_the_admin_pages_manage_people_but_show_no_calls(open_as: Open, app_db: Database, people: People) -> None:
    at = open_as(demo_choice="admin")
    assert not _problems(at)
    assert at.title[0].value == "Users and teams"
    assert {"subject", "email", "role"} <= set(at.dataframe[0].value.columns)
    for page in ("pages/calls.py", "pages/call_review.py", "pages/progress.py", "pages/settings.py"):
        with pytest.raises(Exception, match=r"(?i)page"):
            at.switch_page(page).run()
    admin = people("admin")
    assert list_calls(admin, db=app_db) == []
    assert visible_agents(admin, app_db) == []
    assert not can_read_call(admin, agent_id="aino", team_id="team-north")
    with pytest.raises(AccessError):
        get_analysis(admin, "t-aino-1", db=app_db)


def test_list_teams_is_scoped_by_role(app_db: Database, people: People) -> None:
    every = {"team-north", "team-south"}
    assert {t.id for t in list_teams(people("manager"), app_db)} == every
    assert {t.id for t in list_teams(people("admin"), app_db)} == every
    assert {t.id for t in list_teams(people("coach-south"), app_db)} == {"team-south"}
    assert {t.id for t in list_teams(people("aino"), app_db)} == {"team-north"}
    assert list_teams(User("agent-unlinked", "agent"), app_db) == []
    assert list_teams(User("coach-none", "coach"), app_db) == []


def test_identity_matching_rules(app_db: Database, people: People) -> None:
    admin = people("admin")
    assert user_for_identity(app_db, subject="", email="x@example.org", email_verified=True) is None
    save_user(
        admin,
        app_db,
        user_id="emma",
        name="Emma Wilson",
        role="agent",
        team_ids=("team-south",),
        email="emma@example.org",
    )
    with pytest.raises(Exception, match="another user"):
        save_user(
            admin,
            app_db,
            user_id="oliver",
            name="Oliver Brown",
            role="agent",
            team_ids=("team-south",),
            email="EMMA@example.org",
        )
    emma = user_for_identity(app_db, subject="sub-emma", email=" Emma@Example.org ", email_verified=True)
    assert emma is not None and (emma.id, emma.role, emma.agent_id) == ("emma", "agent", "emma")
    assert user_for_identity(app_db, subject="sub-emma") == emma  # by subject alone from now on
    with pytest.raises(Exception, match="another user"):
        save_user(
            admin,
            app_db,
            user_id="aino",
            name="Aino Virtanen",
            role="agent",
            team_ids=("team-north",),
            subject="sub-emma",
        )
    save_user(admin, app_db, user_id="emma", name="Emma Wilson", role="agent", team_ids=("team-south",), subject="")
    assert user_for_identity(app_db, subject="sub-emma") is None  # unlinked by an admin
    with pytest.raises(Exception, match="e-mail address"):
        save_user(admin, app_db, user_id="emma", name="Emma Wilson", role="agent", email="not an address")


def test_a_queued_job_runs_with_the_submitters_rights_of_now(
    app_db: Database, app_settings: Settings, people: People
) -> None:
    data = audio_path("en_short").read_bytes()
    admin, coach = people("admin"), people("coach-south")
    moved = submit_analysis(coach, app_db, settings=app_settings, data=data, filename="a.flac", agent_id="emma")
    gone = submit_analysis(
        people("oliver"), app_db, settings=app_settings, data=data, filename="b.flac", agent_id="oliver"
    )
    save_user(admin, app_db, user_id="coach-south", name="Liam Nilsson", role="coach", team_ids=("team-north",))
    save_user(
        admin, app_db, user_id="oliver", name="Oliver Brown", role="agent", team_ids=("team-south",), active=False
    )
    assert user_by_id(app_db, "oliver") is None
    assert set(run_jobs(app_db, "en_short")) == {moved.id, gone.id}
    moved_now = get_job(coach, app_db, moved.id)
    assert moved_now.status == FAILED and moved_now.call_id is None
    assert moved_now.error is not None and "emma" in moved_now.error and "\n" not in moved_now.error
    gone_now = get_job(User("oliver", "agent", agent_id="oliver"), app_db, gone.id)
    assert gone_now.status == FAILED and gone_now.error is not None and "no longer active" in gone_now.error


def test_a_secrets_file_that_does_not_load_never_means_demo_mode(
    open_as: Open, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth\nclient_id = "coaching"\n')
    set_secrets_files(monkeypatch, [str(broken)])
    at = open_as(query={"as": "manager"}, demo_choice="manager")
    assert not at.sidebar.selectbox and not any("DEMO MODE" in w.value for w in at.sidebar.warning)
    assert at.error and "exactly one identity provider" in at.error[0].value

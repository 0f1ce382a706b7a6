"""The real login flow in Chromium: an OpenID Connect provider on loopback (``oidc-provider-mock``) and the app with
a generated ``secrets.toml`` (outside the repository), both started and stopped by the test. A person signs in at
the provider and lands back in the app as the matching database user: by stored subject, or by verified e-mail
(which then stores the subject); an unknown subject is asked to get access, whatever ``?as=`` says."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coaching.access import SYSTEM_USER
from coaching.services.admin import list_users, save_user
from coaching.store.db import Database
from tests.e2e.app_server import CHROMIUM, CHROMIUM_ARGS, free_port, running_app, settle

pytest_plugins = ("tests.app_helpers",)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]  # the mock's Authlib


@dataclass(frozen=True)
class LoginSetup:
    app_url: str
    db_path: Path


@pytest.fixture
def login_setup(app_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoginSetup]:
    if not CHROMIUM.exists():
        pytest.skip("system Chromium missing (apt-get install -y chromium)")
    pytest.importorskip("playwright")
    mock = pytest.importorskip("oidc_provider_mock")
    pytest.importorskip("authlib")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider serves plain http on loopback
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(app_template, data / "coaching.db")
    db = Database.open(f"sqlite:///{data / 'coaching.db'}")
    save_user(
        SYSTEM_USER,
        db,
        user_id="coach-north",
        name="Kaisa Korhonen",
        role="coach",
        team_ids=("team-north",),
        subject="kc-kaisa",
    )
    save_user(SYSTEM_USER, db, user_id="manager", name="Maria Manager", role="manager", email="maria@example.org")
    db.dispose()
    maria = mock.User(sub="entra-maria", claims={"email": "maria@example.org", "email_verified": True})
    with mock.run_server_in_thread(port=0, user_claims=[maria]) as provider:
        port = free_port()
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            'client_id = "coaching-test"\n'
            'client_secret = "coaching-test-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        env = {**os.environ, "COACHING_DATA_DIR": str(data), "COACHING_DEVICE": "cpu", "HF_HUB_OFFLINE": "1"}
        env.pop("COACHING_DB_URL", None)
        log_path = tmp_path / "streamlit.log"
        with running_app(
            env, port=port, log_path=log_path, host="localhost", args=("--secrets.files", str(secrets_file))
        ) as url:
            yield LoginSetup(app_url=url, db_path=data / "coaching.db")


def _sign_in_at_provider(browser: Browser, url: str, *, subject: str | None = None, preset: str | None = None) -> Page:
    """A fresh browser (no cookies): open the app, press Sign in, authorise at the provider, come back."""
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.goto(url)
    settle(page)
    assert page.get_by_text("DEMO MODE").count() == 0
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    if preset is not None:
        page.get_by_role("button", name=preset).click()
    else:
        assert subject is not None
        page.locator("input[name='sub']").fill(subject)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=30_000)
    settle(page)
    return page


def _subject_of(db_path: Path, user_id: str) -> str:
    db = Database.open(f"sqlite:///{db_path}")
    try:
        return next(u.subject for u in list_users(SYSTEM_USER, db) if u.id == user_id)
    finally:
        db.dispose()


def test_people_sign_in_at_the_provider_and_land_as_their_database_user(login_setup: LoginSetup) -> None:
    from playwright.sync_api import sync_playwright

    url = login_setup.app_url
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            coach = _sign_in_at_provider(browser, url, subject="kc-kaisa")  # the stored subject
            coach.get_by_role("heading", name="Team calls", level=1).wait_for(timeout=30_000)
            coach.get_by_test_id("stSidebar").get_by_text("Kaisa Korhonen").wait_for()
            assert coach.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").count() == 1

            assert _subject_of(login_setup.db_path, "manager") == ""
            manager = _sign_in_at_provider(browser, url, preset="entra-maria")  # verified e-mail, no subject yet
            manager.get_by_role("heading", name="Team", level=1).wait_for(timeout=30_000)
            manager.get_by_test_id("stSidebar").get_by_text("Maria Manager").wait_for()
            assert _subject_of(login_setup.db_path, "manager") == "entra-maria"

            stranger = _sign_in_at_provider(browser, url, subject="someone-unknown")
            stranger.get_by_text("Ask your manager for access").wait_for(timeout=30_000)
            assert stranger.get_by_test_id("stSidebarNav").count() == 0
            stranger.goto(f"{url}/?as=manager")  # a shared demo-style link is no identity
            settle(stranger)
            stranger.get_by_text("Ask your manager for access").wait_for(timeout=30_000)
            assert stranger.get_by_role("heading", name="Team", level=1).count() == 0
        finally:
            browser.close()

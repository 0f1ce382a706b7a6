"""People's text in a real browser (Streamlit's own markdown renderer): a comment and a corrected transcript
segment holding a markdown image, a link, a forged bold author line, HTML, ``$math$`` and a colour directive show
as those characters; the page holds no image, link, bold or formula made of them and asks nothing of their host."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching.analysis.scoring import score_call
from coaching.checklist import load_checklist
from coaching.demo.seed import demo_user
from coaching.services.corrections import edited_transcript
from coaching.services.feedback import add_comment
from coaching.store.calls import add_analysis_row, load_analysis, replace_transcript
from coaching.store.db import Database
from tests.e2e.app_server import CHROMIUM, CHROMIUM_ARGS, open_page, settle, sign_in
from tests.e2e.test_e2e_browser import app_url
from ui.text import JOINER

pytest_plugins = ("tests.app_helpers",)
pytestmark = pytest.mark.browser
__all__ = ["app_url"]  # the fixture: the app on a copy of the small seeded database in tmp_path / "data"

HOST = "evil.example"
PIECES = (
    f"![x](http://{HOST}/track.png)",
    f"[your results](http://{HOST}/login)",
    "**Head coach:** all passed",
    f'<img src="http://{HOST}/t.png">',
    "$x^2$",
    ":red[alarm]",
)
HOSTILE = " ".join(PIECES)


def plant(db_path: Path) -> None:
    """The hostile text as a comment on t-aino-1 and as its first transcript segment."""
    db = Database.open(f"sqlite:///{db_path}")
    try:
        add_comment(demo_user("coach-north", db), db, "t-aino-1", text=HOSTILE, at_s=1.0)
        with db.transaction() as session:
            current = load_analysis(session, "t-aino-1")
            transcript = edited_transcript(current.transcript, position=0, text=HOSTILE)
            replace_transcript(session, "t-aino-1", transcript)
            add_analysis_row(session, score_call(current.call, transcript, checklist=load_checklist()))
    finally:
        db.dispose()


def test_hostile_text_renders_as_text_in_the_browser(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    plant(tmp_path / "data" / "coaching.db")
    asked: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: asked.append(request.url))
        page.goto(app_url)
        settle(page)
        sign_in(page, "Kaisa Korhonen (coach)", "coach-north")
        open_page(page, "Call review")
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option").filter(has_text="fi_poor").click()
        settle(page)
        for tab in ("Transcript", "Comments (2)"):
            page.get_by_role("tab", name=tab, exact=True).click()
            settle(page)
            panel = page.get_by_role("tabpanel", name=tab, exact=True)
            text = (panel.text_content() or "").replace(JOINER, "")
            assert all(piece in text for piece in PIECES), (tab, text[:400])
            assert panel.locator("strong", has_text="Head coach").count() == 0
        made = page.locator(f'img[src*="{HOST}"], a[href*="{HOST}"], .katex')
        assert made.count() == 0, [
            made.nth(i).evaluate("e => e.parentElement.parentElement.outerHTML.slice(0, 600)")
            for i in range(made.count())
        ]
        browser.close()
    assert [url for url in asked if HOST in url] == []

"""People's text renders as plain text on every page (:func:`ui.text.plain`): a comment, a corrected transcript
segment, a checklist label and suggestion, coaching notes and action items, and names holding a markdown image,
a link, a forged bold author line, HTML and ``$math$`` show those characters and nothing else.

Each shown element's markdown source is parsed with a CommonMark parser (``markdown-it-py``, the same grammar as
Streamlit's renderer): no image, link, HTML, heading or list may come out of people's text, and the text the
reader sees is exactly what was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from coaching.access import User
from coaching.analysis.scoring import score_call
from coaching.checklist import Checklist, parse_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.services.admin import save_preferences
from coaching.services.corrections import edited_transcript
from coaching.services.feedback import add_comment
from coaching.services.jobs import submit_analysis
from coaching.services.sessions import add_action, rate_competence, save_notes, start_session
from coaching.settings import Settings
from coaching.store.app_tables import AppUserRow
from coaching.store.calls import add_analysis_row, load_analysis, replace_transcript
from coaching.store.db import Database
from coaching.store.tables import AgentRow
from ui.text import JOINER, plain

pytest_plugins = ("tests.app_helpers",)

IMAGE = "![x](http://evil.example/track.png)"
LINK = "[your results](http://evil.example/login)"
FORGED = "**Head coach:** all passed"
AGENT_NAME = "Aino **Head coach:** all passed <b>x</b>"
COMPETENCE = "**head coach:** ![x](http://e.x/c.png) $x$"  # a knowledge area (lower case, 60 characters)
UPLOAD_NAME = "**Head coach:** ![x](evil.png) <b>x<b> $x$.wav"  # no slash: a path is cut to its name
HTML = '<img src="http://evil.example/t.png" onerror="alert(1)">'
MATH = "$x^2$"
HOSTILE = f"{IMAGE} {LINK} {FORGED} {HTML} {MATH} :red[alarm] www.evil.example"
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
OUR_HTML = re.compile(r'^(<span style="background:#ffe08a;border-radius:3px" title="[^"<>]*">|</span>)$')


def tokens(source: str) -> Iterator[Token]:
    """Every block and inline token of ``source`` as CommonMark parses it."""
    for token in MARKDOWN.parse(source):
        yield token
        yield from token.children or ()


def shown(source: str) -> str:
    """The text a reader sees of markdown ``source`` (line breaks as newlines)."""
    parts = []
    for token in tokens(source):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts).replace(JOINER, "")  # the invisible word joiner that keeps bare URLs unlinked


def bold(source: str) -> list[str]:
    """The text of each bold part of ``source``."""
    parts: list[str] = []
    inside = False
    for token in tokens(source):
        if token.type == "strong_open":
            inside, parts = True, [*parts, ""]
        elif token.type == "strong_close":
            inside = False
        elif inside and token.type == "text":
            parts[-1] += token.content
    return [part.replace(JOINER, "") for part in parts]


def unescaped(source: str, char: str) -> list[int]:
    """Positions of ``char`` in ``source`` not escaped by a backslash (an even run of backslashes before it)."""
    return [m.start() for m in re.finditer(rf"(?<!\\)(?:\\\\)*{re.escape(char)}", source)]


def problems(source: str) -> list[str]:
    """What in ``source`` would render as more than text: images, links, HTML other than the transcript's own
    shading spans, headings, lists, tables, code blocks, math, colour directives other than the pages' icons."""
    found = []
    for token in tokens(source):
        if token.type in ("image", "link_open", "html_block", "heading_open", "bullet_list_open", "table_open"):
            found.append(token.type)
        if token.type in ("ordered_list_open", "code_block", "fence", "blockquote_open", "hr"):
            found.append(token.type)
        if token.type == "html_inline" and not OUR_HTML.match(token.content):
            found.append(f"html {token.content}")
    if unescaped(source, "$"):
        found.append("math")
    for directive in re.finditer(r"(?<!\\):[a-z-]+\[([^\]]*)\]", source):  # colour: the pages' icons only
        if not re.fullmatch(r":material/[a-z_]+:|overdue", directive.group(1)):
            found.append(f"directive {directive.group(0)}")
    return found


# --- the helper -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        IMAGE,
        LINK,
        FORGED,
        HTML,
        MATH,
        HOSTILE,
        "# heading\n- item\n1. first\n> quote\n---\n    code",
        "a | b\n--|--\n1 | 2",
        "&amp; &lt;b&gt; \\*not bold\\* ~~gone~~ `code` <http://evil.example>",
        "tab\there, trailing backslash \\",
        "Päivää! Åsa's 100 % (ok) – “quoted”",
    ],
)
def test_plain_renders_exactly_the_text_and_nothing_else(text: str) -> None:
    source = plain(text)
    assert problems(source) == []
    assert not [t.type for t in tokens(source) if t.type in ("strong_open", "em_open", "s_open", "code_inline")]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert shown(source) == "\n".join(lines)


@pytest.mark.parametrize("text", ["http://evil.example/x.png", "see WWW.evil.example", "mail a@evil.example now"])
def test_bare_urls_and_addresses_are_broken_invisibly(text: str) -> None:
    """GitHub-flavoured markdown links bare URLs and e-mail addresses after escapes are resolved (Streamlit does):
    the text the renderer's link finder sees has no ``http://``, ``www.`` or ``x@y`` left."""
    seen = "".join(t.content for t in tokens(plain(text)) if t.type == "text")
    assert not re.search(r"(?i)https?://|www\.|\w@\w", seen)
    assert seen.replace(JOINER, "") == text


def test_plain_keeps_one_paragraph_and_takes_anything() -> None:
    assert [t.type for t in MARKDOWN.parse(plain("one\n\n\n    two\r\nthree"))].count("paragraph_open") == 1
    assert plain(None) == "" and plain(42) == "42" and plain("") == ""
    assert plain("Aino Virtanen") == "Aino Virtanen"  # letters, digits and spaces stay as they are


def test_plain_text_inside_our_markup_stays_inside_it() -> None:
    """Bold around a name stays bold around the whole name; the name cannot close it early."""
    source = f"**{plain('x** [a](http://e) **y')}** (coach): {plain(FORGED)}"
    strong = [t for t in tokens(source) if t.type == "strong_open"]
    assert len(strong) == 1 and problems(source) == []
    assert shown(source) == f"x** [a](http://e) **y (coach): {FORGED}"


# --- the pages --------------------------------------------------------------------------------


def hostile_checklist() -> Checklist:
    """The packaged checklist (version 2) whose greeting label and Finnish example carry hostile text."""
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1)
    text = text.replace("label: Greets, names self and company, offers help", f"label: '{HOSTILE}'", 1)
    text = text.replace('fi: "Hyvää päivää, nimeni on Anna, Perintä Oy. Miten voin auttaa?"', f"fi: '{HOSTILE}'", 1)
    checklist = parse_checklist(text)
    assert next(item for item in checklist.items if item.id == "greeting").label == HOSTILE
    return checklist


@pytest.fixture
def hostile(
    app_db: Database, app_settings: Settings, people: Callable[[str], User], jobs_runner: Callable[[str], list[str]]
) -> Database:
    """t-aino-1 with a hostile comment, a hostile first segment scored with a hostile checklist; a coach and an
    agent whose names are markup, a competence rating, a failed upload with a hostile file name, and a coaching
    session with hostile notes and an action item."""
    with app_db.transaction() as session:
        session.execute(update(AppUserRow).where(AppUserRow.id == "coach-north").values(name=f"{FORGED} {IMAGE}"))
        session.execute(update(AppUserRow).where(AppUserRow.id == "aino").values(name=AGENT_NAME))
        session.execute(update(AgentRow).where(AgentRow.id == "aino").values(name=AGENT_NAME))
    coach = people("coach-north")
    save_preferences(
        people("manager"), app_db, languages=("fi", "sv", "en"), whisper_model=None, knowledge_areas=(COMPETENCE,)
    )
    rate_competence(coach, app_db, "aino", competence=COMPETENCE, level=1)
    submit_analysis(
        coach, app_db, settings=app_settings, data=b"not audio" * 100, filename=UPLOAD_NAME, agent_id="aino"
    )
    jobs_runner("en_short")  # fails: the job line shows the file name and the one-line reason
    add_comment(coach, app_db, "t-aino-1", text=f"{FORGED}\n{HOSTILE}", at_s=2.0)
    with app_db.transaction() as session:
        current = load_analysis(session, "t-aino-1")
        transcript = edited_transcript(current.transcript, position=0, text=HOSTILE)
        replace_transcript(session, "t-aino-1", transcript)
        add_analysis_row(session, score_call(current.call, transcript, checklist=hostile_checklist()))
    session_id = start_session(coach, app_db, "aino", held_on=date.today())
    save_notes(coach, app_db, session_id, HOSTILE)
    add_action(coach, app_db, session_id, text=HOSTILE, due_on=None)
    return app_db


def rendered(at: AppTest) -> dict[str, list[str]]:
    """The markdown source of every element that renders markdown, by kind."""
    return {
        "markdown": [e.value for e in at.markdown],
        "caption": [e.value for e in at.caption],
        "info": [e.value for e in at.info],
        "warning": [e.value for e in at.warning],
        "success": [e.value for e in at.success],
        "error": [e.value for e in at.error],
        "expander": [e.label for e in at.expander],
        "checkbox": [e.label for e in at.checkbox],
        "button": [e.label for e in at.button],
        "tab": [e.label for e in at.tabs],
        "metric": [e.label for e in at.metric],
        "progress": [str(e.proto.text) for e in at.get("progress")],
    }


def assert_plain(at: AppTest) -> dict[str, list[str]]:
    assert not at.exception, [e.value for e in at.exception]
    elements = rendered(at)
    wrong = {f"{kind}: {source[:80]}": problems(source) for kind, sources in elements.items() for source in sources}
    assert {k: v for k, v in wrong.items() if v} == {}
    return elements


def review_page(open_app: Callable[[str | None], AppTest], user_id: str) -> AppTest:
    at = open_app(user_id)
    at.session_state["review_call_id"] = "t-aino-1"
    return at.switch_page("pages/call_review.py").run()


def test_call_review_shows_comments_transcript_and_checklist_text_literally(
    hostile: Database, open_app: Callable[[str | None], AppTest]
) -> None:
    at = review_page(open_app, "coach-north")
    elements = assert_plain(at)
    texts = {kind: [shown(s) for s in sources] for kind, sources in elements.items()}
    comment = next(s for s in elements["markdown"] if "(coach)" in s and "passed" in s)
    assert shown(comment) == f"{FORGED} {IMAGE} (coach): {FORGED}\n{HOSTILE}"
    assert bold(comment) == [f"{FORGED} {IMAGE}"]  # one bold part: the real author's (odd) name, as written
    assert any(text == HOSTILE for text in texts["markdown"])  # the corrected transcript segment
    assert any(HOSTILE in label for label in texts["expander"])  # the checklist label
    assert any(HOSTILE in text for text in texts["info"])  # the suggestion (the item's example)
    assert any(text.startswith(AGENT_NAME) for text in texts["markdown"])  # the header names the agent


def test_the_agent_sees_the_same_plain_text(hostile: Database, open_app: Callable[[str | None], AppTest]) -> None:
    at = review_page(open_app, "aino")
    elements = assert_plain(at)
    assert any(HOSTILE in shown(s) for s in elements["markdown"])


def test_coaching_notes_and_action_items_render_literally(
    hostile: Database, open_app: Callable[[str | None], AppTest]
) -> None:
    at = open_app("aino")  # the agent reads the notes as text, the action item as a checkbox label
    at.switch_page("pages/coaching_sessions.py").run()
    elements = assert_plain(at)
    assert any(shown(s) == f"Notes. {HOSTILE}" for s in elements["markdown"])
    assert any(shown(label).startswith(HOSTILE) for label in elements["checkbox"])
    assert any("coach coach-north" in shown(label) for label in elements["expander"])


def test_a_failed_uploads_name_and_reason_render_literally(
    hostile: Database, open_app: Callable[[str | None], AppTest]
) -> None:
    at = open_app("coach-north")
    at.switch_page("pages/calls.py").run()
    elements = assert_plain(at)
    assert any(UPLOAD_NAME in shown(s) for s in elements["error"])


def test_competence_names_render_literally_on_the_team_page(
    hostile: Database, open_app: Callable[[str | None], AppTest]
) -> None:
    at = open_app("coach-north")
    at.switch_page("pages/team.py").run()
    elements = assert_plain(at)
    assert any(COMPETENCE in shown(s) for s in elements["warning"])


@pytest.mark.parametrize("page", ["pages/progress.py", "pages/coaching_sessions.py", "pages/settings.py"])
def test_other_pages_of_the_coach_stay_plain(
    hostile: Database, open_app: Callable[[str | None], AppTest], page: str
) -> None:
    at = open_app("coach-north")
    at.switch_page(page).run()
    assert_plain(at)


def test_chart_labels_people_wrote_carry_no_plotly_markup() -> None:
    """Plotly reads ``<a href>``, ``<b>`` and ``<span style>`` in labels; the charts hand it entities instead."""
    import pandas as pd

    from ui import charts

    label = '<a href="http://evil.example">win</a> <b>bold</b> & co'
    rates = pd.DataFrame([{"label": label, "period": "2026-11", "pass_rate": 0.5, "n": 4}])
    levels = pd.DataFrame([{"agent": label, "competence": label, "level": 2.0}])
    figures = [
        charts.item_heatmap(rates),
        charts.competence_heatmap(levels),
        charts.bars(levels, x="competence", ys=["level"], title="level"),
        charts.lines(levels.assign(month="2026-11"), x="month", y="level", color="competence", title="level"),
    ]
    shown_texts = [
        str(v)
        for figure in figures
        for trace in figure.data
        for v in [*(getattr(trace, "x", None) or ()), *(getattr(trace, "y", None) or ()), trace.name or ""]
    ]
    assert not [t for t in shown_texts if "<" in t or "& " in t]
    assert any(
        t == '&lt;a href="http://evil.example"&gt;win&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; &amp; co' for t in shown_texts
    )

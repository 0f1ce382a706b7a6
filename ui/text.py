"""People's text on the pages, shown as plain text.

Streamlit renders markdown (with GitHub extensions, ``$LaTeX$``, ``:color[...]`` directives) in ``st.markdown``,
``st.caption``, ``st.info`` / ``st.success`` / ``st.warning`` / ``st.error`` and in widget, expander, tab and
metric labels. Text written by people or taken from a call (comments, transcripts and evidence quotes, checklist
labels and suggestions, names, notes, action items, survey comments, file names, error messages that echo them)
goes through :func:`plain` before it is put into such a string, so a comment such as
``![x](http://evil/track.png)`` or ``**Coach Anna:** passed`` shows as those characters: no image fetched from
a coach's browser, no link, no bold line that looks like another author, no HTML.

Every ASCII punctuation character is backslash-escaped (CommonMark: "any ASCII punctuation character may be
backslash-escaped"), which turns off every markdown construct (emphasis, links, images, code, headings, lists,
tables, HTML, entities, math, directives). Bare URLs and e-mail addresses (``http://…``, ``www.…``, ``a@b.c``),
which the renderer links after the escapes are resolved, get an invisible word joiner after ``http:``, ``www``
and ``@``. Line breaks stay line breaks within one paragraph.
"""

from __future__ import annotations

import re
import string

_ESCAPES = str.maketrans({c: "\\" + c for c in string.punctuation})
JOINER = "\u2060"  # WORD JOINER: invisible, zero width
# GitHub's bare-URL and e-mail links are found in the text after escapes are resolved, so an escape cannot stop
# them: a word joiner after "www", "http:" (any scheme's colon) and "@" breaks the pattern and shows nothing
_AUTOLINKS = re.compile(r"(?i)(?<=www)(?=\\\.)|(?<=\\:)|(?<=\\@)")


def plain(text: object) -> str:
    """``text`` (``str()`` of anything, None as empty) as markdown that renders exactly those characters."""
    if text is None:
        return ""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # a hard break ("\" at the end of a line) keeps one paragraph: no blank line can start a code block or list
    escaped = (_AUTOLINKS.sub(JOINER, line.strip().translate(_ESCAPES)) for line in lines if line.strip())
    return "\\\n".join(escaped)

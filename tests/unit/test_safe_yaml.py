"""Checklist text people write is read without anchors or aliases and with a size cap: a "billion laughs" file is
refused at once with one line, ordinary and packaged checklists still load (and keep their version ids)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
import yaml

from coaching.checklist import load_checklist, parse_checklist
from coaching.checklist.loader import DEFAULT_PATH, MAX_CHECKLIST_BYTES, read_checklist_yaml
from coaching.errors import ChecklistError

DEFAULT_TEXT = DEFAULT_PATH.read_text(encoding="utf-8")


def laughs(levels: int = 9, width: int = 9) -> str:
    """A valid checklist (the packaged one, version 2) followed by ``levels`` levels of aliases, each
    repeating the one before ``width`` times: ``width ** levels`` strings once expanded."""
    lines = [f'lol0: &lol0 ["{"lol" * 20}"]']
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * width)}]")
    return DEFAULT_TEXT.replace("version: 1", "version: 2", 1) + "\n" + "\n".join(lines) + "\n"


def error_of(text: str) -> str:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, source="edited checklist")
    return str(caught.value)


def test_billion_laughs_is_refused_at_once_with_one_line() -> None:
    text = laughs()
    assert 18_000 < len(text.encode("utf-8")) < MAX_CHECKLIST_BYTES  # the size of the file in the issue
    started = time.perf_counter()
    message = error_of(text)
    assert time.perf_counter() - started < 1.0
    assert "\n" not in message
    first_anchor = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("lol0:"))) + 1
    assert message.startswith(f"edited checklist:{first_anchor}: ")
    assert "anchors and aliases" in message and "&lol0" in message


@pytest.mark.parametrize(
    "snippet",
    [
        "extra: &a hello\nmore: *a\n",  # anchor and alias
        "extra: &a hello\n",  # an anchor alone
        "base: &b {x: 1}\nderived:\n  <<: *b\n",  # merge key
    ],
)
def test_any_anchor_alias_or_merge_key_is_refused(snippet: str) -> None:
    assert "anchors and aliases" in error_of(DEFAULT_TEXT + "\n" + snippet)


def test_an_alias_inside_an_item_is_refused_with_its_line() -> None:
    text = DEFAULT_TEXT.replace("label: ", "label: &lbl ", 1)
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index("label: ")].count("\n") + 1
    assert error_of(text).startswith(f"edited checklist:{line}: field '(YAML)': anchors and aliases (&lbl")


def test_ampersands_and_stars_inside_text_are_ordinary_characters() -> None:
    text = DEFAULT_TEXT.replace("version: 1", "version: 3", 1).replace(
        "title: ", "title: 'Debt & payments * plans' # ", 1
    )
    checklist = parse_checklist(text)
    assert checklist.version == 3 and "&" in checklist.title and "*" in checklist.title


def test_oversized_text_and_files_are_refused_before_parsing(tmp_path: Path) -> None:
    big = DEFAULT_TEXT + "#" + "x" * MAX_CHECKLIST_BYTES + "\n"
    assert "at most 256 kB" in error_of(big)
    path = tmp_path / "big.yaml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(ChecklistError, match="at most 256 kB"):
        load_checklist(path)


def test_deep_nesting_is_one_line_not_a_traceback() -> None:
    message = error_of("checklist: x\nversion: 2\nitems: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "\n" not in message and message.startswith("edited checklist")


def test_syntax_errors_still_name_the_line() -> None:
    assert error_of("checklist: x\nversion: [1\n").startswith("edited checklist:")


def test_the_packaged_checklist_loads_and_keeps_its_version_id() -> None:
    """The digest in the version id is over the same plain data ``yaml.safe_load`` gives, so stored version ids
    (and the analyses that name them) stay valid."""
    checklist = load_checklist(DEFAULT_PATH)
    digest = hashlib.sha256(
        json.dumps(yaml.safe_load(DEFAULT_TEXT), sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    assert checklist.version_id == f"{checklist.id}@v1+{digest[:10]}"
    root, data = read_checklist_yaml(DEFAULT_TEXT, source="default")
    assert root is not None and data == yaml.safe_load(DEFAULT_TEXT)


def test_an_ordinary_edited_checklist_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    path.write_text(DEFAULT_TEXT.replace("version: 1", "version: 2", 1), encoding="utf-8")
    checklist = load_checklist(path)
    assert checklist.version == 2 and len(checklist.items) == len(load_checklist().items)


def test_packaged_data_files_use_no_anchors() -> None:
    """Only people's checklist text goes through the strict loader; the packaged YAML stays plain so that
    either loader reads it."""
    root = Path(__file__).resolve().parents[2] / "coaching"
    for path in sorted(root.rglob("*.yaml")):
        events = yaml.parse(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        used = [e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)]
        assert used == [], path

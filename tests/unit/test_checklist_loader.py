"""Checklist files: the packaged default, versioning and clear errors on broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from coaching.checklist import load_checklist, parse_checklist
from coaching.checklist.loader import DEFAULT_PATH
from coaching.errors import ChecklistError

DOC_ITEMS = {
    "greeting", "listening", "acknowledge", "no_blame", "plain_language", "options",
    "agreement", "next_steps", "check", "respect_time", "balance", "closing",
}  # fmt: skip


def test_default_v1_has_the_documented_items_in_three_languages() -> None:
    checklist = load_checklist()
    assert checklist.version == 1
    assert {item.id for item in checklist.items} == DOC_ITEMS
    for item in checklist.items:
        assert set(item.examples) == {"fi", "sv", "en"}, item.id
        assert item.guidance and item.weight > 0
        if item.detector_type in ("phrases", "absence", "sequence"):
            assert all(item.detector["phrases"][lang] for lang in ("fi", "sv", "en")), item.id


def _default_text() -> str:
    return DEFAULT_PATH.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_edited_checklist_gets_a_new_version_id(tmp_path: Path) -> None:
    text = _default_text()
    original = parse_checklist(text)
    edited = parse_checklist(text.replace("weight: 2\n", "weight: 3\n", 1))
    assert edited.version == original.version == 1
    assert edited.version_id != original.version_id
    assert original.version_id.startswith("empathy-default@v1+")
    # comments and formatting are not content: same version id
    assert parse_checklist("# a new comment\n" + text).version_id == original.version_id
    path = tmp_path / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_checklist(path).version_id == original.version_id


def test_bad_weight_names_line_and_field() -> None:
    text = _default_text()
    broken = text.replace("weight: 2\n", "weight: heavy\n", 1)
    line = _line_of(broken, "weight: heavy")
    with pytest.raises(ChecklistError) as err:
        parse_checklist(broken, source="mine.yaml")
    message = str(err.value)
    assert f"mine.yaml:{line}:" in message
    assert "items[2].weight" in message and "'heavy'" in message


def test_yaml_syntax_error_names_the_line() -> None:
    broken = "checklist: x\nversion: 1\nitems:\n  - id: a\n    label: [unclosed\n"
    with pytest.raises(ChecklistError, match=r"<checklist>:\d+: field '\(YAML syntax\)'"):
        parse_checklist(broken)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("    phase: opening\n", "    phase: middle\n", "items[0].phase"),
        ("      type: talk_ratio\n", "      type: magic\n", "items[10].detector.type"),
        ("      min: 0.40\n", "      min: 1.5\n", "items[10].detector.min"),
        ('      fi: "Kiitos soitosta ja hyvää päivänjatkoa."\n', "", "items[11].examples"),
        ("  - id: listening\n", "  - id: greeting\n", "items[1].id"),
    ],
)
def test_broken_fields_are_named(old: str, new: str, field: str) -> None:
    text = _default_text()
    assert old in text
    with pytest.raises(ChecklistError) as err:
        parse_checklist(text.replace(old, new, 1))
    assert f"field {field!r}" in str(err.value)


def test_bad_phrase_is_reported_with_its_line() -> None:
    text = _default_text().replace('"nimeni on"', '"nimeni on *"', 1)
    with pytest.raises(ChecklistError) as err:
        parse_checklist(text)
    assert f":{_line_of(text, 'nimeni on *')}:" in str(err.value)
    assert "items[0].detector.phrases.fi" in str(err.value)


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ChecklistError, match="cannot read checklist file"):
        load_checklist(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ChecklistError, match="empty"):
        load_checklist(empty)

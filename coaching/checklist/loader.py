"""Load and validate checklist YAML files; errors name the line and the field. Checklist text is read with
:class:`ChecklistYamlLoader` (no anchors or aliases, at most :data:`MAX_CHECKLIST_BYTES`)."""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path

import yaml

from coaching.checklist.phrases import compile_pattern
from coaching.checklist.types import CATEGORIES, DETECTOR_TYPES, PHASES, Checklist, ChecklistItem
from coaching.errors import ChecklistError
from coaching.jsonable import JsonObject
from coaching.settings import SUPPORTED_LANGUAGES

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "default_v1.yaml"
MAX_CHECKLIST_BYTES = 256 * 1024  # the packaged checklist is about 18 kB

_LIST_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    # detector type -> (per-language phrase-list field, required)
    "phrases": (("phrases", True), ("exclude", False)),
    "absence": (("phrases", True), ("exclude", False)),
    "sequence": (("phrases", True), ("exclude", False), ("triggers", True), ("before", True)),
    "jargon": (("terms", True), ("explainers", True)),
    "talk_ratio": (),
    "dead_air": (("hold_phrases", False),),
    "manual": (),
}
_NUMBER_FIELDS: dict[str, tuple[str, ...]] = {
    "phrases": ("first_agent_turns", "last_agent_turns"),
    "sequence": ("max_turns",),
    "talk_ratio": ("min", "max"),
    "dead_air": ("max_gap_s",),
}


class ChecklistYamlLoader(yaml.SafeLoader):
    """The loader for checklist text people write: safe tags only, and no anchors or aliases (``&a`` / ``*a``,
    also merge keys ``<<: *a``). An alias repeats a node without its bytes, so a small file can expand ninefold
    per level ("billion laughs"); a checklist never needs one. Refused at the first anchor, before anything
    is expanded. Packaged data files are trusted and keep ``yaml.safe_load``."""

    def __init__(self, text: str, *, source: str) -> None:
        super().__init__(text)
        self.source = source

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            name = getattr(event, "anchor", "") or ""
            raise ChecklistError(
                f"{self.source}:{event.start_mark.line + 1}: field '(YAML)': anchors and aliases "
                f"(&{name} / *{name}) are not allowed; write the text out in full"
            )
        return super().compose_node(parent, index)


def read_checklist_yaml(text: str, *, source: str) -> tuple[yaml.Node | None, object]:
    """The composed root node and the plain data of checklist ``text``, through :class:`ChecklistYamlLoader`;
    raise ChecklistError (one line naming ``source`` and the line) for broken, oversized or aliased YAML."""
    size = len(text.encode("utf-8"))
    if size > MAX_CHECKLIST_BYTES:
        raise ChecklistError(
            f"{source}: the checklist is {size / 1024:.0f} kB; at most {MAX_CHECKLIST_BYTES // 1024} kB is accepted"
        )
    loader = ChecklistYamlLoader(text, source=source)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ChecklistError(f"{source}:{line}: field '(YAML syntax)': {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{source}: field '(YAML syntax)': {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ChecklistError(f"{source}: field '(YAML)': nested too deeply") from None
    finally:
        loader.dispose()


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, field: str, problem: str) -> ChecklistError:
        line = node.start_mark.line + 1
        return ChecklistError(f"{self.source}:{line}: field {field!r}: {problem}")

    def mapping(self, node: yaml.Node, field: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, f"expected a mapping, got {_show(node)}")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in out:
                raise self.fail(key, f"{field}.{name}", "duplicate key")
            out[name] = value
        return out

    def required(self, fields: dict[str, yaml.Node], parent: yaml.Node, field: str, name: str) -> yaml.Node:
        if name not in fields:
            raise self.fail(parent, f"{field}.{name}" if field else name, "missing")
        return fields[name]

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, field, f"expected non-empty text, got {_show(node)}")
        return str(node.value).strip()

    def number(self, node: yaml.Node, field: str, *, low: float = 0.0, high: float = float("inf")) -> float:
        try:
            value = float(node.value) if isinstance(node, yaml.ScalarNode) else None
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not low <= value <= high:
            raise self.fail(node, field, f"expected a number in [{low}, {high}], got {_show(node)}")
        return value

    def choice(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> str:
        value = self.text(node, field)
        if value not in allowed:
            raise self.fail(node, field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def per_language(self, node: yaml.Node, field: str, *, phrases: bool) -> JsonObject:
        fields = self.mapping(node, field)
        out: JsonObject = {}
        for lang, value in fields.items():
            where = f"{field}.{lang}"
            if lang not in SUPPORTED_LANGUAGES:
                raise self.fail(node, where, f"unknown language {lang!r}; use {', '.join(SUPPORTED_LANGUAGES)}")
            if not phrases:
                out[lang] = self.text(value, where)
                continue
            if not isinstance(value, yaml.SequenceNode):
                raise self.fail(value, where, f"expected a list of phrases, got {_show(value)}")
            items = []
            for i, child in enumerate(value.value):
                phrase = self.text(child, f"{where}[{i}]")
                try:
                    compile_pattern(phrase)
                except ChecklistError as exc:
                    raise self.fail(child, f"{where}[{i}]", str(exc)) from None
                items.append(phrase)
            out[lang] = tuple(items)
        return out


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return repr(node.value)
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def _detector(ctx: _Ctx, node: yaml.Node, field: str) -> JsonObject:
    fields = ctx.mapping(node, field)
    kind = ctx.choice(ctx.required(fields, node, field, "type"), f"{field}.type", DETECTOR_TYPES)
    out: JsonObject = {"type": kind}
    known = {"type", "semantic", *(name for name, _ in _LIST_FIELDS[kind]), *_NUMBER_FIELDS.get(kind, ())}
    for name in fields:
        if name not in known:
            raise ctx.fail(fields[name], f"{field}.{name}", f"unknown for detector type {kind!r}")
    for name, required in _LIST_FIELDS[kind]:
        if name in fields:
            out[name] = ctx.per_language(fields[name], f"{field}.{name}", phrases=True)
        elif required:
            raise ctx.fail(node, f"{field}.{name}", "missing")
    for name in _NUMBER_FIELDS.get(kind, ()):
        if name in fields:
            high = 1.0 if kind == "talk_ratio" else 1e6
            out[name] = ctx.number(fields[name], f"{field}.{name}", high=high)
    if "semantic" in fields:
        sem = fields["semantic"]
        value = sem.value if isinstance(sem, yaml.ScalarNode) else None
        if value not in ("true", "false"):
            raise ctx.fail(sem, f"{field}.semantic", f"expected true or false, got {_show(sem)}")
        out["semantic"] = value == "true"
    return out


def _item(ctx: _Ctx, node: yaml.Node, field: str, seen: set[str]) -> ChecklistItem:
    fields = ctx.mapping(node, field)
    known = {"id", "label", "phase", "category", "weight", "guidance", "examples", "detector"}
    for name in fields:
        if name not in known:
            raise ctx.fail(fields[name], f"{field}.{name}", "unknown field")
    item_id = ctx.text(ctx.required(fields, node, field, "id"), f"{field}.id")
    if item_id in seen:
        raise ctx.fail(fields["id"], f"{field}.id", f"duplicate item id {item_id!r}")
    seen.add(item_id)
    examples = ctx.per_language(ctx.required(fields, node, field, "examples"), f"{field}.examples", phrases=False)
    missing = [lang for lang in SUPPORTED_LANGUAGES if lang not in examples]
    if missing:
        raise ctx.fail(fields["examples"], f"{field}.examples", f"missing language(s) {', '.join(missing)}")
    return ChecklistItem(
        id=item_id,
        label=ctx.text(ctx.required(fields, node, field, "label"), f"{field}.label"),
        phase=ctx.choice(ctx.required(fields, node, field, "phase"), f"{field}.phase", PHASES),
        category=ctx.choice(ctx.required(fields, node, field, "category"), f"{field}.category", CATEGORIES),
        weight=ctx.number(ctx.required(fields, node, field, "weight"), f"{field}.weight", high=100.0),
        detector=_detector(ctx, ctx.required(fields, node, field, "detector"), f"{field}.detector"),
        guidance=ctx.text(ctx.required(fields, node, field, "guidance"), f"{field}.guidance"),
        examples=examples,
    )


def parse_checklist(text: str, *, source: str = "<checklist>") -> Checklist:
    """Parse checklist YAML text; raise ChecklistError naming the line and field."""
    ctx = _Ctx(source)
    root, data = read_checklist_yaml(text, source=source)
    if root is None:
        raise ChecklistError(f"{source}:1: field 'checklist': the file is empty")
    fields = ctx.mapping(root, "(top level)")
    checklist_id = ctx.text(ctx.required(fields, root, "", "checklist"), "checklist")
    version = ctx.number(ctx.required(fields, root, "", "version"), "version", low=1)
    if version != int(version):
        raise ctx.fail(fields["version"], "version", f"expected a whole number, got {fields['version'].value!r}")
    items_node = ctx.required(fields, root, "", "items")
    if not isinstance(items_node, yaml.SequenceNode) or not items_node.value:
        raise ctx.fail(items_node, "items", f"expected a non-empty list, got {_show(items_node)}")
    seen: set[str] = set()
    items = tuple(_item(ctx, child, f"items[{i}]", seen) for i, child in enumerate(items_node.value))
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return Checklist(
        id=checklist_id,
        version=int(version),
        version_id=f"{checklist_id}@v{int(version)}+{digest[:10]}",
        title=str(fields["title"].value) if "title" in fields else checklist_id,
        items=items,
        source_text=text,
    )


def load_checklist(path: Path | None = None) -> Checklist:
    """Load a checklist file; None loads the packaged default (version 1, read once)."""
    if path is None:
        return _default_checklist()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _default_checklist() -> Checklist:
    return _read(DEFAULT_PATH)


def _read(target: Path) -> Checklist:
    try:
        if target.stat().st_size > MAX_CHECKLIST_BYTES:  # refused before it is read into memory
            raise ChecklistError(
                f"{target}: the checklist file is {target.stat().st_size / 1024:.0f} kB; "
                f"at most {MAX_CHECKLIST_BYTES // 1024} kB is accepted"
            )
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistError(f"cannot read checklist file {str(target)!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ChecklistError(f"checklist file {str(target)!r} is not UTF-8 text") from None
    return parse_checklist(text, source=str(target))

"""The exception tree: one module, one root, drawn in the module docstring; bad input ends as a CoachingError."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pandas as pd
import pytest

import coaching
import coaching.errors as errors
from coaching.cli.main import main
from coaching.errors import CoachingError, SettingsError
from coaching.outcomes.nps import check_period, nps_by_period

PACKAGE = Path(coaching.__file__).resolve().parent


def _classes() -> dict[str, type[BaseException]]:
    return {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == errors.__name__
    }


def _drawn_tree() -> dict[str, str | None]:
    """Class name → parent name, read from the ``* Name`` lines of the docstring (two spaces a level)."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.fullmatch(r"( *)\* (\w+)", line)
        if not found:
            continue
        depth = len(found.group(1)) // 2
        del stack[depth:]
        parents[found.group(2)] = stack[-1] if stack else None
        stack.append(found.group(2))
    return parents


def test_every_error_class_derives_from_the_one_root() -> None:
    classes = _classes()
    assert len(classes) > 10
    for name, cls in classes.items():
        assert issubclass(cls, CoachingError), name


def test_the_docstring_draws_every_class_under_its_real_parent() -> None:
    drawn = _drawn_tree()
    real = {name: None if cls is CoachingError else cls.__bases__[0].__name__ for name, cls in _classes().items()}
    assert drawn == real


def test_no_other_module_of_the_core_defines_an_exception() -> None:
    defined = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    defined.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert defined == []


def test_a_bad_period_or_level_is_a_settings_error_not_a_value_error() -> None:
    surveys = pd.DataFrame(
        {"agent": ["a"], "team": ["t"], "answered_at": pd.to_datetime(["2026-03-02"], utc=True), "score": [10]}
    )
    with pytest.raises(SettingsError, match="by='day'"):
        nps_by_period(surveys=surveys, by="day", level="agent", min_n=1)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="level='region'"):
        nps_by_period(surveys=surveys, by="week", level="region", min_n=1)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="by='year'"):
        check_period("year")
    assert nps_by_period(surveys=surveys, by="week", level="agent", min_n=1)["period"].tolist() == ["2026-W10"]


def test_the_cli_prints_one_error_line_for_a_setting_that_used_to_raise_value_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACHING_MAX_FILE_MB", "nan")  # float("nan") passed the "> 0" check, then int() raised
    assert main(["models"]) == 1
    err = capsys.readouterr().err
    assert err == "error: COACHING_MAX_FILE_MB='nan' is not a finite number\n"

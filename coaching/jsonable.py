"""JSON form of the metrics dataclasses and a JSON Schema derived from their type hints.

One walker produces both, so ``to_dict()`` and the schema cannot drift apart.
Floats are rounded to 3 decimals; NaN and infinities become None; numpy scalars become
Python numbers; tuples become lists; dict fields keep their string keys.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Literal, Union

import numpy as np

FLOAT_DECIMALS = 3


def to_jsonable(value: Any) -> Any:
    """Plain JSON value of a dataclass tree."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return round(number, FLOAT_DECIMALS) + 0.0 if math.isfinite(number) else None  # + 0.0: no "-0.0"
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


class JsonMixin:
    """Adds ``to_dict()`` to a frozen dataclass."""

    def to_dict(self) -> dict[str, Any]:
        result = to_jsonable(self)
        assert isinstance(result, dict)
        return result


def _schema_of(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is type(None):
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_schema_of(a) for a in args]}
    if origin is tuple:
        return {"type": "array", "items": _schema_of(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_of(args[1])}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no JSON schema for type {tp!r}")


def _collect(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    hints = typing.get_type_hints(cls)
    defs[cls.__name__] = {}  # placeholder against cycles
    properties: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        tp = hints[field.name]
        properties[field.name] = _schema_of(tp)
        for inner in _dataclasses_in(tp):
            _collect(inner, defs)
    defs[cls.__name__] = {
        "type": "object",
        "properties": properties,
        "required": [f.name for f in dataclasses.fields(cls)],
        "additionalProperties": False,
    }
    if cls.__doc__:
        defs[cls.__name__]["description"] = " ".join(cls.__doc__.split())


def _dataclasses_in(tp: Any) -> list[type]:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return [tp]
    return [inner for arg in typing.get_args(tp) for inner in _dataclasses_in(arg)]


@cache
def _schema_for(cls: type) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _collect(cls, defs)
    root = dict(defs.pop(cls.__name__))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": cls.__name__, **root, "$defs": defs}


def schema_for(cls: type) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``to_jsonable(instance of cls)``."""
    import copy

    return copy.deepcopy(_schema_for(cls))

"""JSON form of result dataclasses, the way back, and a JSON Schema derived from their type hints.

One set of type hints drives all three (:func:`to_jsonable`, :func:`from_jsonable`, :func:`schema_for`), so
``to_dict()``, reading back and the schema cannot drift apart. Floats are rounded to 3 decimals; NaN and
infinities become None; numpy scalars become Python numbers; tuples become lists; dict fields keep their
string keys.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Literal, TypeVar, Union

import numpy as np

FLOAT_DECIMALS = 3
T = TypeVar("T")

JsonObject = dict[str, Any]
"""A JSON object at an edge: a ``to_dict()`` result, a JSON Schema, a JSON column or a parsed YAML mapping.
Results flow between stages as frozen dataclasses; they become JSON objects only here, at the edges."""


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


def from_jsonable(cls: type[T], data: Any) -> T:
    """The dataclass tree of ``cls`` from its JSON form; :class:`ValueError` naming the field when it does not fit."""
    return _read(cls, data, where=cls.__name__)


def _read(tp: Any, value: Any, *, where: str) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if value is None and float in options:
            return math.nan
        return _read(options[0], value, where=where) if len(options) == 1 else _first_fit(options, value, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = _read(hints[f.name], value[f.name], where=f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ValueError(f"{where}: field {f.name!r} is missing")
        return tp(**kwargs)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_read(args[0], v, where=f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
        return {str(k): _read(args[1], v, where=f"{where}.{k}") for k, v in value.items()}
    if origin is Literal:
        if value not in args:
            raise ValueError(f"{where}: {value!r} is not one of {list(args)}")
        return value
    if tp is float:
        if value is None:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int | float) or float(value) != int(value):
            raise ValueError(f"{where}: expected a whole number, got {value!r}")
        return int(value)
    if tp is bool or tp is str:
        if not isinstance(value, tp):
            raise ValueError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    raise TypeError(f"{where}: cannot read type {tp!r}")


def _first_fit(options: list[Any], value: Any, where: str) -> Any:
    for option in options:
        try:
            return _read(option, value, where=where)
        except ValueError:
            continue
    raise ValueError(f"{where}: {value!r} fits none of {options}")


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


class JsonMixin:
    """Adds ``to_dict()`` to a frozen dataclass."""

    def to_dict(self) -> JsonObject:
        result = to_jsonable(self)
        assert isinstance(result, dict)
        return result


def _schema_of(tp: Any) -> JsonObject:
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


def _collect(cls: type, defs: JsonObject) -> None:
    if cls.__name__ in defs:
        return
    hints = typing.get_type_hints(cls)
    defs[cls.__name__] = {}  # placeholder against cycles
    properties: JsonObject = {}
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
def _schema_for(cls: type) -> JsonObject:
    defs: JsonObject = {}
    _collect(cls, defs)
    root = dict(defs.pop(cls.__name__))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": cls.__name__, **root, "$defs": defs}


def schema_for(cls: type) -> JsonObject:
    """JSON Schema (draft 2020-12) of ``to_jsonable(instance of cls)``."""
    import copy

    return copy.deepcopy(_schema_for(cls))

"""Frozen dataclasses to JSON and back: what ranked items and contexts are stored and
exported as.

:func:`to_jsonable` turns dataclasses into dicts, tuples into lists, enums into their values
and dates into ISO strings. :func:`from_jsonable` reverses it, guided by the type hints of the
target class (nested dataclasses, ``tuple[X, ...]``, ``X | None``, enums, dates). Unknown keys
are ignored and missing ones take the field's default, so stored JSON outlives additions to
the classes.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


#: Types returned as they are (exact types: an enum that is a ``str`` is not one of them).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """A JSON-serialisable copy of ``value``."""
    cls = type(value)
    if cls in _AS_IS:
        return value
    if cls in _FIELD_NAMES:
        names = _FIELD_NAMES[cls]
    else:
        names = _FIELD_NAMES[cls] = _field_names(cls)
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


#: The field names of each type met (None: not a dataclass): looked up once per type, not
#: once per value (a million ranked items are ~150 million values).
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild an instance of the dataclass ``cls`` from :func:`to_jsonable` output."""
    result: T = _convert(cls, data)
    return result


def _convert(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in data)
        return tuple(_convert(a, v) for a, v in zip(args, data, strict=False))
    if origin is dict:
        _, value_kind = typing.get_args(kind)
        return {k: _convert(value_kind, v) for k, v in data.items()}
    if isinstance(kind, type):
        if dataclasses.is_dataclass(kind):
            hints = _hints(kind)
            names = {f.name for f in dataclasses.fields(kind) if f.init}
            return kind(**{n: _convert(hints[n], v) for n, v in data.items() if n in names})
        if issubclass(kind, enum.Enum):
            return kind(data)
        if kind is datetime:
            return datetime.fromisoformat(data)
        if kind is date:
            return date.fromisoformat(data)
        if kind is float and isinstance(data, int):
            return float(data)
    return data

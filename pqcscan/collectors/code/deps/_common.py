"""Helpers shared by the dependency parsers: text, JSON and TOML decoding (every failure is a
:class:`~pqcscan.collectors.code.model.CodeParseError` naming the file and line) and bounded
property interpolation."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

from pqcscan.collectors.code.model import CodeParseError


def decode_text(name: str, data: bytes) -> str:
    """``data`` as UTF-8 text (a BOM is dropped); binary or invalid UTF-8 -> CodeParseError."""
    if b"\x00" in data:
        raise CodeParseError(f"{name}: binary content (NUL byte), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CodeParseError(f"{name}: line {line}: invalid UTF-8") from None
    return text.removeprefix("\ufeff")


def load_json(name: str, data: bytes) -> Any:
    """Parse JSON text; syntax errors, deep nesting and bad encoding -> CodeParseError."""
    text = decode_text(name, data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodeParseError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise CodeParseError(f"{name}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise CodeParseError(f"{name}: invalid JSON: {exc}") from None


def load_toml(name: str, data: bytes) -> dict[str, Any]:
    """Parse TOML text; syntax errors, deep nesting and bad encoding -> CodeParseError."""
    text = decode_text(name, data)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodeParseError(f"{name}: invalid TOML: {exc}") from None
    except RecursionError:
        raise CodeParseError(f"{name}: TOML nested too deeply") from None


#: Interpolation stops after this many rounds or once a value grows past this many characters,
#: so self-referencing or exponentially growing properties end as unresolved, never a hang.
MAX_ROUNDS = 10
MAX_VALUE = 1000


def interpolate_bounded(
    text: str, pattern: re.Pattern[str], lookup: Callable[[str], str | None], marker: str
) -> str | None:
    """``text`` with every ``pattern`` match replaced by ``lookup(group 1)``, round after
    round; None when a reference stays unresolved or the limits above are reached."""
    for _round in range(MAX_ROUNDS):
        if marker not in text:
            return text
        missing = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal missing
            value = lookup(match.group(1))
            if value is None:
                missing = True
                return match.group()
            return value

        text = pattern.sub(substitute, text)
        if missing or len(text) > MAX_VALUE:
            return None
    return None if marker in text else text

"""Text, JSON and TOML decoding shared by the dependency parsers: every failure is a
:class:`~pqcscan.collectors.code.model.CodeParseError` naming the file (and line)."""

from __future__ import annotations

import json
import tomllib
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

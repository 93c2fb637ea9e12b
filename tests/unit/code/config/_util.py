"""Helpers for the configuration parser tests."""

from __future__ import annotations

from pathlib import Path

from pqcscan.collectors.code.config import parse_config
from pqcscan.collectors.code.model import CodeHit

DATA = Path(__file__).parent / "data"


def load(name: str) -> bytes:
    """A fixture file's bytes."""
    return (DATA / name).read_bytes()


def parse_file(kind: str, name: str) -> tuple[CodeHit, ...]:
    """Parse a fixture file as ``kind``."""
    return parse_config(kind, name, load(name))


def parse_text(kind: str, text: str, name: str = "test.conf") -> tuple[CodeHit, ...]:
    """Parse inline configuration text."""
    return parse_config(kind, name, text.encode())


def rows(hits: tuple[CodeHit, ...], rule: str | None = None) -> list[tuple[str, str, int, int]]:
    """(algorithm, parameter, line, column) of the hits of one rule (all rules if None)."""
    return [(h.algorithm, h.parameter, h.line, h.column) for h in hits if rule in (None, h.rule_id)]


def by_rule(hits: tuple[CodeHit, ...], rule: str) -> list[CodeHit]:
    """The hits of one rule."""
    return [h for h in hits if h.rule_id == rule]

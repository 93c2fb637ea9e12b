"""Dependency files of this ecosystem (being written: no parser registered yet)."""

from __future__ import annotations

from pqcscan.collectors.code.deps import DependencyParser

PARSERS: tuple[DependencyParser, ...] = ()

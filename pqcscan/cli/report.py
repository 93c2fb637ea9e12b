"""CLI commands for the report feature (being written)."""

from __future__ import annotations

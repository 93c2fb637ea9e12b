"""CLI commands for the diff feature (being written)."""

from __future__ import annotations

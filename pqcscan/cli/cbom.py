"""CLI commands for the cbom feature (being written)."""

from __future__ import annotations

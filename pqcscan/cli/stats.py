"""CLI commands for the stats feature (being written)."""

from __future__ import annotations

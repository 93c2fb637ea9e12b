"""pqcscan's own error tree. Library exceptions are wrapped into these at the boundary."""

from __future__ import annotations


class PqcscanError(Exception):
    """Base of every error pqcscan raises on purpose; the CLI prints it as one line."""

    exit_code = 2


class UsageError(PqcscanError):
    """The user asked for something malformed (bad option, bad path, bad CIDR)."""


class RuleError(PqcscanError):
    """The rule data in rules/ is missing, malformed or inconsistent."""


class InventoryError(PqcscanError):
    """The inventory database could not be opened, migrated or written."""


class SpillError(PqcscanError):
    """The ranking's temporary file could not be created or written (a full disk)."""

    exit_code = 4

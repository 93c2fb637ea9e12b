"""pqcscan: a post-quantum cryptography inventory scanner."""

from __future__ import annotations

__version__ = "0.1.0"

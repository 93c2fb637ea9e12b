"""Anonymized pilot-group statistics (``pqcscan-stats/1``): export, merge and compare.

Only counts over the controlled vocabulary of ``rules/stats/vocabulary.yaml`` leave an
organisation; small cells are suppressed and counts rounded at export, and merged cells are
published only when enough organisations contributed and none dominates. See docs/sharing.md.
"""

from __future__ import annotations

SCHEMA = "pqcscan-stats/1"
OTHER = "other"

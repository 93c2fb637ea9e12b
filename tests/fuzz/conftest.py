"""Hypothesis profiles of the fuzz suite.

``fuzz-long`` runs every fuzz target 10,000 times (``.venv/bin/pytest tests/fuzz
--hypothesis-profile=fuzz-long``); ``PQCSCAN_FUZZ_EXAMPLES=N`` sets any count. The CI budget
of each target is in its ``@fuzz(n)`` decorator (see :mod:`tests.fuzz.mutate`).
"""

from __future__ import annotations

from hypothesis import settings

from tests.fuzz.mutate import LONG_EXAMPLES

settings.register_profile("fuzz-long", max_examples=LONG_EXAMPLES, deadline=None)

"""The ``pqcscan demo``: realistic fixtures (``builders``) and the end-to-end run (``runner``)."""

from __future__ import annotations

from pqcscan.demo.runner import run_demo

__all__ = ["run_demo"]

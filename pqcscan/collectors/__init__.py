"""Collectors find cryptography and yield plain results; this is their one registry."""

from __future__ import annotations

from pqcscan.collectors.base import Collector, collect
from pqcscan.collectors.cbom import CbomCollector
from pqcscan.collectors.certs import CertificateCollector
from pqcscan.collectors.code.collector import CodeCollector
from pqcscan.collectors.declared import DeclaredCollector

#: Every collector, by the name used in ``pqcscan scan NAME`` and in scan-run records.
REGISTRY: dict[str, type[Collector]] = {
    CertificateCollector.name: CertificateCollector,
    CodeCollector.name: CodeCollector,
    DeclaredCollector.name: DeclaredCollector,
    CbomCollector.name: CbomCollector,
}

__all__ = ["REGISTRY", "Collector", "collect"]

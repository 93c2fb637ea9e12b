"""The TLS collector: its own wire code probes versions, suites, groups (PQC and hybrid
included), signature schemes and certificates of network endpoints.

Modules: :mod:`.wire` (records, ClientHello, parsers), :mod:`.conn` (connections with a
deadline and byte cap), :mod:`.hello` (one ClientHello and its clear-text answer),
:mod:`.keyshare` (classic, ffdhe, ML-KEM and hybrid key shares), :mod:`.tls13` (the TLS 1.3
handshake to the server's Finished), :mod:`.starttls`, :mod:`.probes` (the engine),
:mod:`.trust` (chain validation), :mod:`.report` (:class:`TlsReport`), :mod:`.mapping`
(inventory results) and :mod:`.collector` (:class:`TlsCollector`).
"""

from __future__ import annotations

from pqcscan.collectors.tls.collector import TlsCollector, TlsOptions
from pqcscan.collectors.tls.probes import ProbeOptions, Prober, probe
from pqcscan.collectors.tls.report import (
    CertificateCheck,
    KeyExchange,
    TlsReport,
    TrustResult,
    VersionReport,
)
from pqcscan.collectors.tls.trust import TrustValidator
from pqcscan.collectors.tls.wire import TlsVersion

__all__ = [
    "CertificateCheck",
    "KeyExchange",
    "ProbeOptions",
    "Prober",
    "TlsCollector",
    "TlsOptions",
    "TlsReport",
    "TlsVersion",
    "TrustResult",
    "TrustValidator",
    "VersionReport",
    "probe",
]

"""From a :class:`~pqcscan.collectors.tls.report.TlsReport` to inventory results.

- The endpoint is an ``endpoint`` asset (fingerprint ``address:port[:sni]``, locator
  ``host:port``) whose details hold the protocol, STARTTLS, SNI, the preferred suite and group
  per version, the CertificateVerify scheme, the trust result, PQ-intolerance and the whole
  capability matrix as ("tls-group:0x11ec X25519MLKEM768", "supported") pairs.
- Findings on the endpoint, one per *supported* thing only (what was refused or not tested
  stays in the details): ``protocol`` per accepted version; ``key-exchange`` per accepted group
  and per TLS <= 1.2 suite key exchange (ECDHE with its curve, DHE with the prime size, RSA key
  transport with the certificate's modulus size); ``authentication`` per accepted signature
  scheme, the scheme used in CertificateVerify, and the suites' authentication (sized by the
  leaf key); ``encryption`` and ``mac`` for each accepted suite's cipher and MAC/PRF hash.
  Pseudo entries (SCSVs) and GREASE values never become findings.
- Certificates are built by the certificate collector's code
  (:func:`~pqcscan.collectors.certs.classify.certificate_chain_item`): one asset per DER (the
  same certificate on disk and on the wire is one asset), located at ``host:port#1``,
  ``#2``... in chain order, ``issued-by`` links inside the chain, and ``presents`` links from
  the endpoint to each leaf.
"""

from __future__ import annotations

import hashlib

from pqcscan.catalog import Classification, QuantumStatus, get_catalog, is_grease
from pqcscan.collectors.certs.classify import certificate_chain_item, classify_public_key
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import ParseFailure
from pqcscan.collectors.tls.report import (
    KeyExchange,
    TlsReport,
    VersionReport,
    group_name,
    scheme_name,
    suite_name,
)
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    Details,
    DetailValue,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
    Usage,
)

COLLECTOR = "tls"
#: Groups whose key exchange includes a post-quantum KEM (pure or hybrid).
_PQ_STATUSES = frozenset({QuantumStatus.HYBRID, QuantumStatus.QUANTUM_SAFE})
_USAGE_OF_PART = {
    "key_exchange": Usage.KEY_EXCHANGE,
    "authentication": Usage.AUTHENTICATION,
    "cipher": Usage.ENCRYPTION,
    "mac": Usage.MAC,
}


class _Findings:
    def __init__(self, asset: AssetKey, location: str) -> None:
        self.asset = asset
        self.location = location
        self.items: dict[tuple[str, str, Usage], Finding] = {}

    def add(
        self,
        c: Classification,
        usage: Usage,
        method: str,
        identifier: str,
        detail: str | None = None,
    ) -> None:
        if c.pseudo:
            return
        key = (c.algorithm, c.parameter, usage)
        if key in self.items:
            return
        self.items[key] = Finding(
            asset=self.asset,
            algorithm=c.algorithm,
            parameter=c.parameter,
            usage=usage,
            quantum_status=c.status,
            evidence=Evidence(COLLECTOR, self.location, method, identifier, detail),
            classical_bits=c.classical_bits,
            nist_category=c.nist_category,
        )


def _leaf_key(report: TlsReport) -> Classification | None:
    if not report.certificate_chain:
        return None
    try:
        parsed = parse_certificate(report.certificate_chain[0])
    except ParseFailure:
        return None
    return classify_public_key(get_catalog(), parsed.public_key)


def _code(value: int) -> str:
    return f"0x{value:04x}"


def build_item(report: TlsReport) -> CollectedItem:
    """The endpoint's item: asset, findings, certificates, links and errors."""
    endpoint = report.endpoint
    locator = endpoint.locator
    errors = tuple(ScanError(locator, kind, message) for kind, message in report.errors)
    if not report.reachable:
        return CollectedItem(locator, errors=errors)
    asset = Asset(
        AssetType.ENDPOINT, endpoint.fingerprint, locator, endpoint.host, _details(report)
    )
    key = AssetKey.of(asset)
    findings = _Findings(key, locator)
    leaf = _leaf_key(report)
    _certificate_verify(report, findings)
    for v in report.versions:
        if v.supported:
            _version(v, findings, leaf)
    certs = _certificates(report, locator)
    links = [*certs.links]
    for chain in (report.certificate_chain, *report.other_chains):
        if chain:
            leaf_key = _der_key(chain[0], certs.assets)
            if leaf_key is not None:
                links.append(Link(key, Relation.PRESENTS, leaf_key))
    return CollectedItem(
        locator=locator,
        assets=(asset, *certs.assets),
        findings=(*findings.items.values(), *certs.findings),
        links=tuple(dict.fromkeys(links)),
        errors=errors + certs.errors,
    )


def _der_key(der: bytes, assets: tuple[Asset, ...]) -> AssetKey | None:
    fingerprint = hashlib.sha256(der).hexdigest()
    for a in assets:
        if a.type is AssetType.CERTIFICATE and a.fingerprint == fingerprint:
            return AssetKey.of(a)
    return None


def _certificates(report: TlsReport, locator: str) -> CollectedItem:
    ders: list[bytes] = []
    for chain in (report.certificate_chain, *report.other_chains):
        for der in chain:
            if der not in ders:
                ders.append(der)
    if not ders:
        return CollectedItem(locator)
    return certificate_chain_item(ders, locator, COLLECTOR)


def _certificate_verify(report: TlsReport, findings: _Findings) -> None:
    check = report.certificate
    if check is None or check.signature_scheme is None:
        return
    cat = get_catalog()
    scheme = check.signature_scheme
    if is_grease(scheme):
        return
    what = "CertificateVerify" if check.version == TlsVersion.TLS13 else "ServerKeyExchange"
    valid = {True: "valid", False: "INVALID", None: "not checked"}[check.signature_valid]
    findings.add(
        cat.classify_named("tls-signature-scheme", scheme),
        Usage.AUTHENTICATION,
        f"{check.version.label} {what} signature (scheme used)",
        f"tls-signature-scheme:{_code(scheme)}",
        f"signature {valid}: {check.detail}",
    )


def _version(v: VersionReport, findings: _Findings, leaf: Classification | None) -> None:
    cat = get_catalog()
    label = v.version.label
    protocol, number = v.version.catalog_name
    findings.add(
        cat.classify(protocol, number),
        Usage.PROTOCOL,
        "TLS version probe",
        f"tls-version:{label}",
    )
    tls13 = v.version == TlsVersion.TLS13
    for group in v.supported_groups():
        if is_grease(group):
            continue
        findings.add(
            cat.classify_named("tls-group", group),
            Usage.KEY_EXCHANGE,
            "TLS 1.3 HelloRetryRequest group probe" if tls13 else f"{label} ECDHE curve probe",
            f"tls-group:{_code(group)}",
            label,
        )
    for scheme in v.supported_schemes():
        if is_grease(scheme):
            continue
        findings.add(
            cat.classify_named("tls-signature-scheme", scheme),
            Usage.AUTHENTICATION,
            f"{label} signature scheme probe",
            f"tls-signature-scheme:{_code(scheme)}",
            label,
        )
    kx = dict(v.key_exchanges)
    for code in v.suites:
        parts = cat.classify_suite(code)
        if parts is None or is_grease(code):
            continue
        suite = cat.cipher_suite(code)
        ident = f"tls-suite:{_code(code)}"
        method = f"{label} cipher suite enumeration"
        for role, c in parts:
            usage = _USAGE_OF_PART[role]
            if role == "key_exchange":
                _key_exchange(findings, c, kx.get(code), leaf, ident, label)
                continue
            if role == "authentication" and leaf is not None and c.family == leaf.family:
                c = cat.classify(c.algorithm, leaf.parameter, identifier=c.identifier)
            findings.add(c, usage, method, ident, suite.name if suite else None)


def _key_exchange(
    findings: _Findings,
    c: Classification,
    kx: KeyExchange | None,
    leaf: Classification | None,
    ident: str,
    label: str,
) -> None:
    cat = get_catalog()
    method = f"{label} ServerKeyExchange"
    if kx is not None:
        if kx.kind == "ECDHE" and kx.group is not None:
            findings.add(
                cat.classify_named("tls-group", kx.group),
                Usage.KEY_EXCHANGE,
                method,
                f"tls-group:{_code(kx.group)}",
                f"{label} ECDHE ({ident})",
            )
            return
        if kx.kind == "DHE" and kx.dh_bits is not None:
            detail = f"{label} DHE, {kx.dh_bits}-bit prime" + (
                f" ({kx.dh_group})" if kx.dh_group else ""
            )
            findings.add(
                cat.classify("DH", str(kx.dh_bits), identifier=ident),
                Usage.KEY_EXCHANGE,
                method,
                ident,
                detail,
            )
            return
        if kx.kind == "RSA" and leaf is not None and leaf.family == "RSA" and leaf.parameter:
            findings.add(
                cat.classify(c.algorithm, leaf.parameter, identifier=ident),
                Usage.KEY_EXCHANGE,
                f"{label} cipher suite enumeration (RSA key transport, certificate key size)",
                ident,
            )
            return
    findings.add(c, Usage.KEY_EXCHANGE, f"{label} cipher suite enumeration", ident)


def _details(report: TlsReport) -> Details:
    preferred_suites = tuple(
        (v.version.label, f"{_code(v.preferred_suite)} {suite_name(v.preferred_suite)}")
        for v in report.versions
        if v.supported and v.preferred_suite is not None
    )
    preferred_groups = tuple(
        (v.version.label, f"{_code(v.preferred_group)} {group_name(v.preferred_group)}")
        for v in report.versions
        if v.supported and v.preferred_group is not None
    )
    cv = report.certificate
    capabilities = tuple((key, str(cap)) for key, cap in report.capabilities())
    details: list[tuple[str, DetailValue]] = [
        ("protocol", "tls"),
        ("starttls", report.starttls),
        ("sni", report.sni),
        ("address", report.endpoint.address),
        ("port", report.endpoint.port),
        ("versions", tuple(v.label for v in report.supported_versions)),
        ("preferred_suites", preferred_suites),
        ("preferred_groups", preferred_groups),
        (
            "pq_groups",
            tuple(
                f"{_code(g)} {group_name(g)}"
                for g in report.version(TlsVersion.TLS13).supported_groups()
                if get_catalog().classify_named("tls-group", g).status in _PQ_STATUSES
            ),
        ),
        (
            "certificate_signature_scheme",
            f"{_code(cv.signature_scheme)} {scheme_name(cv.signature_scheme)}"
            if cv is not None and cv.signature_scheme is not None
            else None,
        ),
        (
            "certificate_signature",
            None
            if cv is None
            else f"{cv.version.label} "
            + {True: "valid", False: "invalid", None: "not checked"}[cv.signature_valid]
            + f": {cv.detail}",
        ),
        ("trust", report.trust.label),
        ("trust_method", report.trust.method or None),
        ("trust_stores", report.trust.stores or None),
        ("pq_intolerant", report.pq_intolerant),
        ("sni_required", str(report.sni_required)),
        ("capabilities", capabilities),
        ("connections", report.connections),
        ("notes", report.notes or None),
    ]
    return tuple((k, v) for k, v in details if v is not None and v != ())

"""What the probes learned about one TLS endpoint: an immutable :class:`TlsReport`.

Every capability is three-state (:class:`~pqcscan.results.Capability`): supported,
not-supported (tested, and refused), or not-tested with the reason (no TLS 1.3, timeout, out
of time budget...). Nothing is reported as unsupported unless a probe saw it refused.
:meth:`TlsReport.capabilities` flattens the whole matrix into (key, capability) pairs, the
form the endpoint asset's details carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pqcscan.catalog import get_catalog
from pqcscan.collectors.tls.wire import TlsVersion
from pqcscan.results import Capability, ErrorKind, Support
from pqcscan.targets.model import Endpoint

NOT_TESTED = Capability(Support.NOT_TESTED, "not probed")


def tested(reason: str) -> Capability:
    return Capability(Support.NOT_TESTED, reason)


SUPPORTED = Capability(Support.SUPPORTED)


def refused(reason: str) -> Capability:
    return Capability(Support.NOT_SUPPORTED, reason)


def group_name(code: int) -> str:
    item = get_catalog().named_identifier("tls-group", code)
    return item.name if item is not None else "unknown"


def scheme_name(code: int) -> str:
    item = get_catalog().named_identifier("tls-signature-scheme", code)
    return item.name if item is not None else "unknown"


def suite_name(code: int) -> str:
    suite = get_catalog().cipher_suite(code)
    return suite.name if suite is not None else "unknown"


@dataclass(frozen=True, slots=True)
class KeyExchange:
    """The key exchange of one accepted TLS <= 1.2 suite, as its ServerKeyExchange showed."""

    #: ECDHE, DHE, RSA (key transport), static-DH, static-ECDH, PSK, other
    kind: str
    group: int | None = None  # ECDHE: the named curve
    dh_bits: int | None = None  # DHE: the prime's size
    dh_group: str | None = None  # DHE: "ffdhe2048" when the prime is an RFC 7919 one
    signature_scheme: int | None = None  # TLS 1.2: the scheme that signed the parameters


@dataclass(frozen=True, slots=True)
class VersionReport:
    """One protocol version: whether it is accepted, and its suites, groups and schemes."""

    version: TlsVersion
    support: Capability = NOT_TESTED
    #: Accepted suites, in the order found (the server's order when it enforces one).
    suites: tuple[int, ...] = ()
    #: supported: the enumeration ran to the end; not-tested: it stopped early (reason).
    suite_enumeration: Capability = NOT_TESTED
    offered_suites: int = 0
    preferred_suite: int | None = None
    #: supported: the server picks by its own order; not-supported: it follows the client's.
    server_suite_order: Capability = NOT_TESTED
    key_exchanges: tuple[tuple[int, KeyExchange], ...] = ()
    groups: tuple[tuple[int, Capability], ...] = ()
    preferred_group: int | None = None
    server_group_order: Capability = NOT_TESTED
    signature_schemes: tuple[tuple[int, Capability], ...] = ()

    @property
    def supported(self) -> bool:
        return self.support.state is Support.SUPPORTED

    def supported_groups(self) -> tuple[int, ...]:
        return tuple(g for g, c in self.groups if c.state is Support.SUPPORTED)

    def supported_schemes(self) -> tuple[int, ...]:
        return tuple(s for s, c in self.signature_schemes if c.state is Support.SUPPORTED)

    def group(self, code: int) -> Capability:
        return dict(self.groups).get(code, tested(f"not probed for {self.version.label}"))

    def scheme(self, code: int) -> Capability:
        return dict(self.signature_schemes).get(
            code, tested(f"not probed for {self.version.label}")
        )


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """The handshake the certificate chain came from, and its signature check."""

    version: TlsVersion
    cipher_suite: int
    group: int | None
    #: TLS 1.3: the CertificateVerify scheme; TLS 1.2: the ServerKeyExchange scheme.
    signature_scheme: int | None
    #: True/False when checked; None when it could not be (reason in ``detail``).
    signature_valid: bool | None
    detail: str
    #: TLS 1.3 only: the server Finished MAC matched our key schedule.
    finished_ok: bool | None = None


@dataclass(frozen=True, slots=True)
class TrustResult:
    """Path validation of the presented chain to the trust stores' roots."""

    #: True trusted, False not trusted, None not tested.
    trusted: bool | None
    #: "self-signed", "unknown issuer", "expired", "not yet valid", "name mismatch"...
    reason: str
    #: "cryptography.x509.verification" or "pqcscan reduced path check (ML-DSA)".
    method: str = ""
    #: (store name, "trusted" / "not trusted: reason") for each store tried.
    stores: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        if self.trusted is None:
            return f"not-tested: {self.reason}"
        word = "trusted" if self.trusted else "not-trusted"
        return f"{word}: {self.reason}" if self.reason else word


@dataclass(frozen=True, slots=True)
class TlsReport:
    """Everything learned about one endpoint."""

    endpoint: Endpoint
    sni: str | None = None
    starttls: str | None = None
    versions: tuple[VersionReport, ...] = ()
    #: The primary chain (leaf first): from the TLS 1.3 handshake when there is one.
    certificate_chain: tuple[bytes, ...] = ()
    #: Other chains seen (a second certificate for another key type), leaf first.
    other_chains: tuple[tuple[bytes, ...], ...] = ()
    certificate: CertificateCheck | None = None
    trust: TrustResult = TrustResult(None, "no certificate")
    #: supported: a full-size ClientHello with an X25519MLKEM768 key share was answered;
    #: not-supported: the endpoint is PQ-intolerant (it answered the short probe only).
    pq_key_share: Capability = NOT_TESTED
    #: supported: the server refuses a hello without SNI.
    sni_required: Capability = NOT_TESTED
    #: Failures: for the whole endpoint (nothing accepted) or protocol violations seen.
    errors: tuple[tuple[ErrorKind, str], ...] = ()
    connections: int = 0
    elapsed: float = 0.0
    #: Notes for people (why something was skipped), in order.
    notes: tuple[str, ...] = field(default=())

    def version(self, version: TlsVersion) -> VersionReport:
        for v in self.versions:
            if v.version == version:
                return v
        return VersionReport(version)

    @property
    def supported_versions(self) -> tuple[TlsVersion, ...]:
        return tuple(v.version for v in self.versions if v.supported)

    @property
    def reachable(self) -> bool:
        """The endpoint spoke TLS (some version answered, even if only with alerts)."""
        return bool(self.supported_versions) or any(
            v.support.state is Support.NOT_SUPPORTED for v in self.versions
        )

    @property
    def pq_intolerant(self) -> bool | None:
        if self.pq_key_share.state is Support.NOT_TESTED:
            return None
        return self.pq_key_share.state is Support.NOT_SUPPORTED

    @property
    def certificate_verify_scheme(self) -> int | None:
        if self.certificate is None or self.certificate.version != TlsVersion.TLS13:
            return None
        return self.certificate.signature_scheme

    def capabilities(self) -> tuple[tuple[str, Capability], ...]:
        """The capability matrix, flat: ("tls-group:0x11ec X25519MLKEM768", supported)...

        Groups and signature schemes are TLS 1.3's unless the key ends in a version
        ("[TLS 1.2]": ECDHE curves and ServerKeyExchange schemes); suites always name theirs.
        """
        out: list[tuple[str, Capability]] = []
        for v in self.versions:
            out.append((f"tls-version:{v.version.label}", v.support))
        for v in self.versions:
            label = v.version.label
            tag = "" if v.version == TlsVersion.TLS13 else f" [{label}]"
            if v.supported:
                for code in v.suites:
                    key = f"tls-suite:0x{code:04x} {suite_name(code)} [{label}]"
                    out.append((key, SUPPORTED))
                state = v.suite_enumeration
                if state.state is Support.SUPPORTED:
                    rest = v.offered_suites - len(v.suites)
                    state = refused(f"the other {rest} offered suites")
                out.append((f"tls-suite:others [{label}]", state))
                out.append((f"tls-suite-order:server [{label}]", v.server_suite_order))
            for code, cap in v.groups:
                out.append((f"tls-group:0x{code:04x} {group_name(code)}{tag}", cap))
            if v.groups and v.supported:
                out.append((f"tls-group-order:server{tag or ' [TLS 1.3]'}", v.server_group_order))
            for code, cap in v.signature_schemes:
                key = f"tls-signature-scheme:0x{code:04x} {scheme_name(code)}{tag}"
                out.append((key, cap))
        out.append(("tls-pq-key-share:full-size X25519MLKEM768 ClientHello", self.pq_key_share))
        out.append(("tls-sni:required", self.sni_required))
        return tuple(out)

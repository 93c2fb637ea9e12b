"""What a lab server is, and what a correct scanner must find there: :class:`LabServer` and its
:class:`Expected` facts.

The facts are ground truth written by hand from the server's configuration, not derived from
the scanner's catalog, so a collector test can assert against them without trusting the code it
tests. Names follow the IANA registries (TLS groups and cipher suites) and the RFC ASN.1 module
names (certificate signature algorithms); every name carries its code point or OID beside it.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from pqcscan.results import ErrorKind


class ServerKind(StrEnum):
    """What a lab server is for."""

    TLS = "tls"  # TLS from the first byte
    STARTTLS = "starttls"  # a plaintext protocol that upgrades to TLS
    HOSTILE = "hostile"  # misbehaves on purpose; a scanner must survive it


class Engine(StrEnum):
    """What implements the server (and so which OpenSSL answers)."""

    PYTHON_SSL = "python-ssl"  # Python's ssl module: the system OpenSSL (3.0 on Debian 12)
    OPENSSL_CLI = "openssl-s_server"  # Debian's openssl s_server (3.0), one connection at a time
    PYOPENSSL = "pyopenssl"  # pyOpenSSL on the OpenSSL 3.5 bundled with cryptography, subprocess
    HANDMADE = "handmade"  # hand-written TLS bytes on asyncio (hostile servers, 3DES)


class TlsVersion(StrEnum):
    """Protocol versions, with their wire code (:attr:`code`)."""

    SSL3 = "SSLv3"
    TLS1_0 = "TLSv1.0"
    TLS1_1 = "TLSv1.1"
    TLS1_2 = "TLSv1.2"
    TLS1_3 = "TLSv1.3"

    @property
    def code(self) -> int:
        return _VERSION_CODES[self]


_VERSION_CODES: Final = {
    TlsVersion.SSL3: 0x0300,
    TlsVersion.TLS1_0: 0x0301,
    TlsVersion.TLS1_1: 0x0302,
    TlsVersion.TLS1_2: 0x0303,
    TlsVersion.TLS1_3: 0x0304,
}

ALL_VERSIONS: Final = tuple(TlsVersion)

GROUP_CODES: Final[dict[str, int]] = {
    # IANA TLS Supported Groups names and values (RFC 8422, 7919, 8446, 8734,
    # draft-ietf-tls-mlkem, draft-ietf-tls-ecdhe-mlkem).
    "secp256r1": 0x0017,
    "secp384r1": 0x0018,
    "secp521r1": 0x0019,
    "x25519": 0x001D,
    "x448": 0x001E,
    "brainpoolP256r1tls13": 0x001F,
    "brainpoolP384r1tls13": 0x0020,
    "brainpoolP512r1tls13": 0x0021,
    "ffdhe2048": 0x0100,
    "ffdhe3072": 0x0101,
    "ffdhe4096": 0x0102,
    "ffdhe6144": 0x0103,
    "ffdhe8192": 0x0104,
    "MLKEM512": 0x0200,
    "MLKEM768": 0x0201,
    "MLKEM1024": 0x0202,
    "SecP256r1MLKEM768": 0x11EB,
    "X25519MLKEM768": 0x11EC,
    "SecP384r1MLKEM1024": 0x11ED,
}
"""Every group a lab server may accept, and the candidates a test probes."""

PQC_GROUPS: Final = frozenset(
    {
        "MLKEM512",
        "MLKEM768",
        "MLKEM1024",
        "SecP256r1MLKEM768",
        "X25519MLKEM768",
        "SecP384r1MLKEM1024",
    }
)
"""Groups whose key exchange includes ML-KEM (pure or hybrid)."""


@dataclass(frozen=True)
class SuiteInfo:
    """One TLS cipher suite: IANA name, code point, the OpenSSL name used to configure it."""

    iana: str
    code: int
    openssl: str


CIPHER_SUITES: Final[dict[str, SuiteInfo]] = {
    s.openssl: s
    for s in (
        SuiteInfo("TLS_AES_128_GCM_SHA256", 0x1301, "TLS_AES_128_GCM_SHA256"),
        SuiteInfo("TLS_AES_256_GCM_SHA384", 0x1302, "TLS_AES_256_GCM_SHA384"),
        SuiteInfo("TLS_CHACHA20_POLY1305_SHA256", 0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
        SuiteInfo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"),
        SuiteInfo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030, "ECDHE-RSA-AES256-GCM-SHA384"),
        SuiteInfo(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"
        ),
        SuiteInfo(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"
        ),
        SuiteInfo(
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"
        ),
        SuiteInfo(
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            0xCCA9,
            "ECDHE-ECDSA-CHACHA20-POLY1305",
        ),
        SuiteInfo("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013, "ECDHE-RSA-AES128-SHA"),
        SuiteInfo("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, "AES128-SHA"),
        SuiteInfo("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C, "AES128-GCM-SHA256"),
        SuiteInfo("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D, "AES256-GCM-SHA384"),
        SuiteInfo("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E, "DHE-RSA-AES128-GCM-SHA256"),
        SuiteInfo("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0033, "DHE-RSA-AES128-SHA"),
        SuiteInfo("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x000A, "DES-CBC3-SHA"),
    )
}
"""The cipher suites lab servers are configured with, keyed by OpenSSL name."""

TLS13_DEFAULT_SUITES: Final = (
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
)
"""OpenSSL's default TLS 1.3 suites (3.0 and 3.5): what every lab server speaking 1.3 accepts."""

SUITE_CODES: Final[dict[str, int]] = {s.iana: s.code for s in CIPHER_SUITES.values()}


def check_loopback(host: str) -> str:
    """``host`` if it is a literal loopback address (127.0.0.0/8 or ::1); ValueError otherwise.
    The lab never binds anything else."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(
            f"lab servers bind literal loopback addresses only, not {host!r}"
        ) from None
    if not address.is_loopback:
        raise ValueError(f"lab servers bind loopback addresses only, not {host}")
    return host


# --------------------------------------------------------------------------- expected facts


@dataclass(frozen=True)
class ChainCertificate:
    """One certificate the server sends, as a scanner should describe it."""

    subject: str  # RFC 4514
    issuer: str
    key_algorithm: str  # "RSA-2048", "EC-P-256", "Ed25519", "ML-DSA-65"
    key_oid: str  # SubjectPublicKeyInfo algorithm
    signature_algorithm: str  # "sha256WithRSAEncryption", "ecdsa-with-SHA384", "id-ml-dsa-65"
    signature_oid: str
    sha256: str  # lower-case hex fingerprint of the DER
    der: bytes = field(repr=False)

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


@dataclass(frozen=True)
class CertificateFacts:
    """The certificate chain the server sends, leaf first (leaf then root in the lab)."""

    chain: tuple[ChainCertificate, ...]
    hostname: str  # the name the leaf is valid for (its only SAN)
    san: tuple[str, ...]

    @property
    def leaf(self) -> ChainCertificate:
        return self.chain[0]

    @property
    def root(self) -> ChainCertificate:
        return self.chain[-1]

    @property
    def key_algorithm(self) -> str:
        """The leaf's key algorithm."""
        return self.leaf.key_algorithm

    @property
    def signature_algorithm(self) -> str:
        """The leaf's signature algorithm (the issuer's signature on it)."""
        return self.leaf.signature_algorithm

    @property
    def pqc(self) -> bool:
        """The leaf key is post-quantum (ML-DSA)."""
        return self.leaf.key_algorithm.startswith("ML-DSA")


@dataclass(frozen=True)
class TlsFacts:
    """What the TLS layer accepts, exactly.

    - ``versions``: the protocol versions a handshake succeeds with; every other one is refused.
    - ``groups``: the named groups (IANA names) with which a ClientHello offering only that
      group succeeds: in TLS 1.3 when the server speaks it (a HelloRetryRequest selects it),
      otherwise with the ECDHE suites of TLS 1.2 and below (where the client's curve list also
      binds an ECDSA certificate, so a TLS 1.2 ECDSA server accepts its certificate's curve
      only). Every other group of :data:`GROUP_CODES` is refused (alert 40). Empty when no
      suite uses a named group.
    - ``cipher_suites``: the TLS 1.2-and-below suites accepted (IANA names), in the server's
      preference order; ``tls13_cipher_suites``: the TLS 1.3 ones.
    - ``dh_bits``: the finite-field group size of DHE suites, None without DHE.
    """

    versions: frozenset[TlsVersion]
    groups: tuple[str, ...]
    cipher_suites: tuple[str, ...]
    tls13_cipher_suites: tuple[str, ...]
    certificate: CertificateFacts
    dh_bits: int | None = None

    def __post_init__(self) -> None:
        unknown = [g for g in self.groups if g not in GROUP_CODES]
        unknown += [
            s for s in self.cipher_suites + self.tls13_cipher_suites if s not in SUITE_CODES
        ]
        if unknown:
            raise ValueError(f"names not in the lab tables: {unknown}")
        if (TlsVersion.TLS1_3 in self.versions) != bool(self.tls13_cipher_suites):
            raise ValueError("TLS 1.3 suites are listed exactly when TLS 1.3 is accepted")

    @property
    def group_codes(self) -> tuple[int, ...]:
        return tuple(GROUP_CODES[g] for g in self.groups)

    @property
    def refused_groups(self) -> tuple[str, ...]:
        """The candidate groups (:data:`GROUP_CODES`) the server refuses."""
        return tuple(g for g in GROUP_CODES if g not in self.groups)

    @property
    def refused_versions(self) -> tuple[TlsVersion, ...]:
        return tuple(v for v in ALL_VERSIONS if v not in self.versions)

    @property
    def cipher_suite_codes(self) -> tuple[int, ...]:
        return tuple(SUITE_CODES[s] for s in self.cipher_suites)

    @property
    def pqc_groups(self) -> tuple[str, ...]:
        """Accepted groups with ML-KEM (pure or hybrid)."""
        return tuple(g for g in self.groups if g in PQC_GROUPS)

    @property
    def pqc_key_exchange(self) -> bool:
        return bool(self.pqc_groups)

    @property
    def pqc_only(self) -> bool:
        """Every accepted group has ML-KEM: a classical-only client cannot connect."""
        return bool(self.groups) and all(g in PQC_GROUPS for g in self.groups)


class StartTlsProtocol(StrEnum):
    """Protocols that upgrade a plaintext connection to TLS."""

    SMTP = "smtp"  # RFC 3207
    IMAP = "imap"  # RFC 3501 §6.2.1 / RFC 9051
    POP3 = "pop3"  # RFC 2595 §4
    FTP = "ftp"  # RFC 4217
    LDAP = "ldap"  # RFC 4511 §4.14, RFC 4513 §3
    XMPP = "xmpp"  # RFC 6120 §5
    POSTGRES = "postgres"  # PostgreSQL protocol, SSLRequest


@dataclass(frozen=True)
class StartTlsFacts:
    """How the plaintext dialogue reaches TLS: the server's ``greeting`` (b"" when the client
    speaks first); the ``opening`` the client must send before asking (XMPP's stream header),
    answered by bytes ending with ``opening_reply_end``; the upgrade ``request``, answered by
    bytes starting with ``response``; then the TLS handshake."""

    protocol: StartTlsProtocol
    greeting: bytes
    request: bytes
    response: bytes
    opening: bytes = b""
    opening_reply_end: bytes = b""


class HostileBehaviour(StrEnum):
    """The misbehaviours of the hostile servers."""

    SILENT = "silent"  # accepts, never reads, never sends
    GARBAGE = "garbage"  # sends 4 KiB of bytes that are not TLS, then closes
    RESET = "reset"  # reads the ClientHello record, then closes with RST (SO_LINGER 0)
    DRIP = "drip"  # a valid-looking ServerHello record, one byte per interval
    HUGE_HANDSHAKE = "huge-handshake"  # ServerHello, then a 10 MiB Certificate message, streamed
    HTTP = "http"  # answers "HTTP/1.1 400 Bad Request" to whatever it reads
    BAD_HRR = "bad-hrr"  # HelloRetryRequest whose key_share length overruns its extensions
    CLOSE = "close"  # closes right after accepting (FIN)
    SSH_BANNER = "ssh-banner"  # an SSH server on a "TLS" port
    HALF_OPEN = "half-open"  # reads forever, never answers, keeps its side open after the FIN


@dataclass(frozen=True)
class HostileFacts:
    """What the hostile server does, and what a scanner should report.

    ``error`` is the report a careful scanner makes; ``acceptable_errors`` (which includes it)
    lists every report that is still correct (a socket race can turn an EOF into a reset).
    A scanner must report an error, never a TLS fact, and must return: the timeouts are the
    scanner's, the server never ends the conversation for it.
    """

    behaviour: HostileBehaviour
    error: ErrorKind
    acceptable_errors: frozenset[ErrorKind]
    sends: bytes = b""  # what the server sends first (prefix), when fixed
    announced_length: int | None = None  # HUGE_HANDSHAKE: the Certificate message length field
    interval: float | None = None  # DRIP: seconds between bytes

    def __post_init__(self) -> None:
        if self.error not in self.acceptable_errors:
            raise ValueError("the preferred error must be acceptable")


@dataclass(frozen=True)
class Expected:
    """Everything a correct scanner finds at a lab server; the part that does not apply is None.

    A TLS server has ``tls``; a STARTTLS server has ``starttls`` (the dialogue) and ``tls``
    (what follows the upgrade); a hostile server has ``hostile`` only.
    """

    tls: TlsFacts | None = None
    starttls: StartTlsFacts | None = None
    hostile: HostileFacts | None = None

    @property
    def pqc_key_exchange(self) -> bool:
        return self.tls is not None and self.tls.pqc_key_exchange

    @property
    def pqc_certificate(self) -> bool:
        return self.tls is not None and self.tls.certificate.pqc


@dataclass(frozen=True)
class LabServer:
    """A running lab server: where it listens and what a scanner must find there."""

    name: str
    kind: ServerKind
    engine: Engine
    address: str  # literal loopback IP
    port: int
    description: str
    expected: Expected
    hostname: str = "localhost"  # SNI and certificate name
    pid: int | None = None  # the server process, for subprocess servers

    @property
    def endpoint(self) -> str:
        """``host:port``, with brackets for IPv6."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"

    @property
    def tls(self) -> TlsFacts:
        """The TLS facts (TLS and STARTTLS servers); AttributeError for hostile ones."""
        if self.expected.tls is None:
            raise AttributeError(f"{self.name} has no TLS facts")
        return self.expected.tls

    @property
    def ca_pem(self) -> bytes:
        """The root certificate (PEM) a verifying client trusts for this server."""
        return der_to_pem(self.tls.certificate.root.der)


def der_to_pem(der: bytes, label: str = "CERTIFICATE") -> bytes:
    """PEM armour around DER."""
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"".join(
        [
            f"-----BEGIN {label}-----\n".encode(),
            *(x + b"\n" for x in lines),
            f"-----END {label}-----\n".encode(),
        ]
    )

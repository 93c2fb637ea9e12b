"""The named lab servers: one :class:`~pqcscan.demo.lab.spec.ServerSpec` per configuration a
scanner must recognise. :data:`CATALOGUE` maps each name to its spec; the package docstring
(:mod:`pqcscan.demo.lab`) lists them with their facts.
"""

from __future__ import annotations

from typing import Final

from pqcscan.demo.lab.certs import (
    ECDSA_P256,
    ECDSA_P384,
    ED25519,
    ML_DSA_65,
    RSA1024,
    RSA2048,
    RSA2048_SHA1,
    RSA3072,
)
from pqcscan.demo.lab.hostile import HostileSpec
from pqcscan.demo.lab.legacy import Legacy3desSpec
from pqcscan.demo.lab.model import HostileBehaviour, StartTlsProtocol
from pqcscan.demo.lab.model import TlsVersion as V
from pqcscan.demo.lab.spec import ServerSpec
from pqcscan.demo.lab.starttls import StartTlsSpec
from pqcscan.demo.lab.tls import ClassicTlsSpec, OpenSslCliSpec, PqcTlsSpec

TLS12_13: Final = (V.TLS1_2, V.TLS1_3)
ECDHE_RSA: Final = (
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-CHACHA20-POLY1305",
)
ECDHE_ECDSA: Final = ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384")
ALL_MLKEM: Final = (
    "X25519MLKEM768",
    "SecP256r1MLKEM768",
    "SecP384r1MLKEM1024",
    "MLKEM512",
    "MLKEM768",
    "MLKEM1024",
)

_SPECS: Final[tuple[ServerSpec, ...]] = (
    # ------------------------------------------------------------------ classic (Python ssl)
    ClassicTlsSpec(
        "classic-rsa2048",
        "RSA-2048 chain, TLS 1.2 and 1.3, ECDHE-RSA AEAD suites, OpenSSL 3.0 default groups",
        RSA2048,
        TLS12_13,
        ECDHE_RSA,
    ),
    ClassicTlsSpec(
        "classic-rsa3072-tls13",
        "RSA-3072 chain, TLS 1.3 only, OpenSSL 3.0 default groups",
        RSA3072,
        (V.TLS1_3,),
    ),
    ClassicTlsSpec(
        "classic-ecdsa-p256-tls12",
        "ECDSA P-256 chain, TLS 1.2 only, ECDHE-ECDSA AES-GCM suites",
        ECDSA_P256,
        (V.TLS1_2,),
        ECDHE_ECDSA,
    ),
    ClassicTlsSpec(
        "classic-ecdsa-p384",
        "ECDSA P-384 chain, TLS 1.2 and 1.3, secp384r1 as the only group",
        ECDSA_P384,
        TLS12_13,
        ("ECDHE-ECDSA-AES256-GCM-SHA384",),
        curve="secp384r1",
    ),
    ClassicTlsSpec(
        "classic-ed25519",
        "Ed25519 chain, TLS 1.2 and 1.3 (Ed25519 in TLS 1.2 through ECDHE-ECDSA suites)",
        ED25519,
        TLS12_13,
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"),
    ),
    # ------------------------------------------------------------------ weak (openssl s_server)
    OpenSslCliSpec(
        "weak-tls10",
        "TLS 1.0 only (ECDHE-RSA and RSA key transport with AES-128-CBC)",
        RSA2048,
        V.TLS1_0,
        ("ECDHE-RSA-AES128-SHA", "AES128-SHA"),
    ),
    OpenSslCliSpec(
        "weak-tls11",
        "TLS 1.1 only (ECDHE-RSA AES-128-CBC)",
        RSA2048,
        V.TLS1_1,
        ("ECDHE-RSA-AES128-SHA",),
    ),
    OpenSslCliSpec(
        "weak-rsa-kx",
        "TLS 1.2 with RSA key transport only (no forward secrecy, no named group)",
        RSA2048,
        V.TLS1_2,
        ("AES256-GCM-SHA384", "AES128-SHA"),
    ),
    OpenSslCliSpec(
        "weak-dhe1024",
        "TLS 1.2 with DHE on the 1024-bit RFC 2409 group 2",
        RSA2048,
        V.TLS1_2,
        ("DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-SHA"),
        dh_bits=1024,
    ),
    Legacy3desSpec(
        "weak-3des",
        "TLS 1.2 with TLS_RSA_WITH_3DES_EDE_CBC_SHA only (hand-written: no OpenSSL here has 3DES)",
    ),
    OpenSslCliSpec(
        "weak-sha1-cert",
        "TLS 1.2; the leaf certificate is signed with sha1WithRSAEncryption",
        RSA2048_SHA1,
        V.TLS1_2,
        ("ECDHE-RSA-AES128-GCM-SHA256",),
    ),
    OpenSslCliSpec(
        "weak-rsa1024",
        "TLS 1.2; RSA-1024 leaf key (issued by an RSA-2048 root)",
        RSA1024,
        V.TLS1_2,
        ("ECDHE-RSA-AES128-GCM-SHA256",),
    ),
    # ------------------------------------------------------------------ PQC (OpenSSL 3.5)
    PqcTlsSpec(
        "pqc-hybrid",
        "OpenSSL 3.5 defaults: X25519MLKEM768 preferred, classic groups too; TLS 1.2 and 1.3",
        ECDSA_P256,
        TLS12_13,
        None,
        ECDHE_ECDSA,
    ),
    PqcTlsSpec(
        "pqc-p384-mlkem1024",
        "TLS 1.3 with SecP384r1MLKEM1024 as the only group",
        ECDSA_P384,
        (V.TLS1_3,),
        ("SecP384r1MLKEM1024",),
    ),
    PqcTlsSpec(
        "pqc-mlkem768-only",
        "TLS 1.3 with pure ML-KEM-768 (MLKEM768) as the only group: PQ-only",
        ECDSA_P256,
        (V.TLS1_3,),
        ("MLKEM768",),
    ),
    PqcTlsSpec(
        "pqc-every-mlkem",
        "TLS 1.3 with every ML-KEM group (three hybrids, three pure) and nothing classic",
        ECDSA_P256,
        (V.TLS1_3,),
        ALL_MLKEM,
    ),
    PqcTlsSpec(
        "pqc-classic-groups",
        "OpenSSL 3.5 configured with classic groups only (X25519, P-256); TLS 1.2 and 1.3",
        ECDSA_P256,
        TLS12_13,
        ("x25519", "secp256r1"),
        ECDHE_ECDSA,
    ),
    PqcTlsSpec(
        "pqc-mldsa65",
        "ML-DSA-65 chain (ML-DSA-65 root -> ML-DSA-65 leaf), TLS 1.3, OpenSSL 3.5 default groups",
        ML_DSA_65,
        (V.TLS1_3,),
    ),
    # ------------------------------------------------------------------ STARTTLS
    *(
        StartTlsSpec(
            f"starttls-{p.value}",
            f"{p.name} STARTTLS, then TLS 1.2/1.3 with an RSA-2048 chain",
            p,
        )
        for p in StartTlsProtocol
    ),
    # ------------------------------------------------------------------ hostile
    HostileSpec("hostile-silent", "accepts, never reads nor sends", HostileBehaviour.SILENT),
    HostileSpec("hostile-garbage", "sends 4 KiB of non-TLS bytes", HostileBehaviour.GARBAGE),
    HostileSpec("hostile-reset", "RST after reading the ClientHello", HostileBehaviour.RESET),
    HostileSpec("hostile-drip", "a ServerHello record, one byte per second", HostileBehaviour.DRIP),
    HostileSpec(
        "hostile-huge-handshake",
        "a 10 MiB Certificate message after the ServerHello",
        HostileBehaviour.HUGE_HANDSHAKE,
    ),
    HostileSpec("hostile-http", "plain HTTP: 400 Bad Request", HostileBehaviour.HTTP),
    HostileSpec(
        "hostile-bad-hrr",
        "a HelloRetryRequest with an overrunning extension length",
        HostileBehaviour.BAD_HRR,
    ),
    HostileSpec("hostile-close", "closes right after accepting", HostileBehaviour.CLOSE),
    HostileSpec("hostile-ssh-banner", "an SSH banner on a TLS port", HostileBehaviour.SSH_BANNER),
    HostileSpec(
        "hostile-half-open",
        "reads forever, never answers, keeps its side open",
        HostileBehaviour.HALF_OPEN,
    ),
)

CATALOGUE: Final[dict[str, ServerSpec]] = {spec.name: spec for spec in _SPECS}
"""Every named lab server."""

STANDARD: Final = (
    "classic-rsa2048",
    "pqc-hybrid",
    "pqc-mlkem768-only",
    "weak-tls10",
    "starttls-smtp",
    "hostile-silent",
)
"""The small lab of ``pqcscan demo``: classic RSA, hybrid, PQ-only, weak TLS 1.0, one STARTTLS,
one hostile server."""

MIXED_TLS: Final = (
    "classic-rsa2048",
    "classic-ecdsa-p256-tls12",
    "pqc-hybrid",
    "classic-ed25519",
    "weak-tls10",
    "classic-ecdsa-p384",
    "pqc-mlkem768-only",
    "starttls-smtp",
    "weak-rsa-kx",
    "pqc-classic-groups",
)
"""The cycle :meth:`~pqcscan.demo.lab.Lab.mixed` draws from: TLS endpoints only (no hostile
server): 40 % classic Python ssl, 10 % SMTP STARTTLS, 30 % OpenSSL 3.5 (two of three with PQC
groups), 20 % weak s_server."""


def spec(name: str) -> ServerSpec:
    """The catalogue spec called ``name``; KeyError lists the known names."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"no lab server {name!r}; known: {', '.join(CATALOGUE)}") from None

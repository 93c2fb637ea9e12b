"""The loopback lab: real TLS servers of every configuration pqcscan must recognise, STARTTLS
servers, and hostile servers, each with the facts a correct scanner must find there.

Everything binds loopback only (127.0.0.0/8 or ::1; anything else is refused) on ephemeral
ports. Start one server with :func:`serve`, several with :class:`Lab`::

    from pqcscan.demo.lab import Lab, serve

    with serve("pqc-mlkem768-only") as server:
        server.endpoint                  # "127.0.0.1:41234"
        server.expected.tls.groups       # ("MLKEM768",)

    with Lab.standard() as lab:          # the demo's six servers
        ...
    with Lab.mixed(50) as lab:           # benchmark: 50 mixed TLS endpoints
        ...

Each :class:`LabServer` carries :class:`Expected` facts: :class:`TlsFacts` (exact accepted
versions, groups by IANA name, TLS 1.2 and 1.3 suites, DH size, the certificate chain as
:class:`CertificateFacts`), :class:`StartTlsFacts`, or :class:`HostileFacts` (behaviour and
the :class:`~pqcscan.results.ErrorKind` a scanner should report).

Catalogue (:data:`CATALOGUE`; "3.0 defaults" = x25519, secp256r1, x448, secp521r1, secp384r1,
ffdhe2048-8192; "3.5 defaults" = X25519MLKEM768, x25519, secp256r1, x448, secp384r1,
secp521r1, ffdhe2048, ffdhe3072; every chain is root -> leaf for ``localhost``, both sent):

Classic, Python ``ssl`` (OpenSSL 3.0):

- ``classic-rsa2048``: RSA-2048, sha256WithRSAEncryption; TLS 1.2+1.3; ECDHE-RSA AES-GCM and
  ChaCha20 suites; 3.0 defaults.
- ``classic-rsa3072-tls13``: RSA-3072; TLS 1.3 only; 3.0 defaults.
- ``classic-ecdsa-p256-tls12``: ECDSA P-256, ecdsa-with-SHA256; TLS 1.2 only; ECDHE-ECDSA
  AES-GCM; secp256r1 (in TLS 1.2 a one-curve hello must also name the certificate's curve).
- ``classic-ecdsa-p384``: ECDSA P-384, ecdsa-with-SHA384; TLS 1.2+1.3; secp384r1 only.
- ``classic-ed25519``: Ed25519, id-Ed25519; TLS 1.2+1.3; 3.0 defaults.

Weak, Debian ``openssl s_server`` 3.0 at ``@SECLEVEL=0`` (one connection at a time):

- ``weak-tls10``: TLS 1.0 only; ECDHE-RSA-AES128-SHA, AES128-SHA; x25519, secp256r1.
- ``weak-tls11``: TLS 1.1 only; ECDHE-RSA-AES128-SHA; x25519, secp256r1.
- ``weak-rsa-kx``: TLS 1.2; RSA key transport only (AES256-GCM-SHA384, AES128-SHA); no group.
- ``weak-dhe1024``: TLS 1.2; DHE-RSA suites on the 1024-bit RFC 2409 group 2.
- ``weak-3des``: TLS 1.2; TLS_RSA_WITH_3DES_EDE_CBC_SHA only. Neither OpenSSL here serves
  3DES, so this one is the lab's own minimal TLS 1.2 server (:mod:`.legacy`).
- ``weak-sha1-cert``: TLS 1.2; leaf signed with sha1WithRSAEncryption.
- ``weak-rsa1024``: TLS 1.2; RSA-1024 leaf.

Post-quantum, pyOpenSSL on OpenSSL 3.5 (subprocess; groups set by ``OPENSSL_CONF``):

- ``pqc-hybrid``: ECDSA P-256; TLS 1.2+1.3; 3.5 defaults (X25519MLKEM768 first).
- ``pqc-p384-mlkem1024``: ECDSA P-384; TLS 1.3; SecP384r1MLKEM1024 only.
- ``pqc-mlkem768-only``: ECDSA P-256; TLS 1.3; MLKEM768 only (PQ-only).
- ``pqc-every-mlkem``: ECDSA P-256; TLS 1.3; the six ML-KEM groups, nothing classic.
- ``pqc-classic-groups``: ECDSA P-256; TLS 1.2+1.3; x25519, secp256r1 (3.5 without PQC).
- ``pqc-mldsa65``: ML-DSA-65 root -> ML-DSA-65 leaf (id-ml-dsa-65); TLS 1.3; 3.5 defaults.

STARTTLS (RSA-2048, TLS 1.2+1.3, 3.0 defaults after the upgrade): ``starttls-smtp``,
``starttls-imap``, ``starttls-pop3``, ``starttls-ftp``, ``starttls-ldap``, ``starttls-xmpp``,
``starttls-postgres`` (see :mod:`pqcscan.demo.lab.starttls`).

Hostile (see :mod:`pqcscan.demo.lab.hostile`): ``hostile-silent``, ``hostile-garbage``,
``hostile-reset``, ``hostile-drip``, ``hostile-huge-handshake``, ``hostile-http``,
``hostile-bad-hrr``, ``hostile-close``, ``hostile-ssh-banner``, ``hostile-half-open``.

Modules: :mod:`.model` (facts), :mod:`.certs` (chains), :mod:`.tls`, :mod:`.starttls`,
:mod:`.hostile`, :mod:`.legacy` (servers), :mod:`.catalogue` (names), :mod:`.lab` (``Lab``,
``serve``), :mod:`.loop` (the shared asyncio thread), :mod:`.process` (subprocess control).
"""

from __future__ import annotations

from pqcscan.demo.lab.catalogue import CATALOGUE, MIXED_TLS, STANDARD, spec
from pqcscan.demo.lab.certs import CertProfile
from pqcscan.demo.lab.hostile import HostileSpec
from pqcscan.demo.lab.lab import Lab, serve
from pqcscan.demo.lab.legacy import Legacy3desSpec
from pqcscan.demo.lab.model import (
    GROUP_CODES,
    PQC_GROUPS,
    CertificateFacts,
    ChainCertificate,
    Engine,
    Expected,
    HostileBehaviour,
    HostileFacts,
    LabServer,
    ServerKind,
    StartTlsFacts,
    StartTlsProtocol,
    TlsFacts,
    TlsVersion,
)
from pqcscan.demo.lab.process import LabStartError
from pqcscan.demo.lab.spec import ServerSpec
from pqcscan.demo.lab.starttls import StartTlsSpec
from pqcscan.demo.lab.tls import ClassicTlsSpec, OpenSslCliSpec, PqcTlsSpec

__all__ = [
    "CATALOGUE",
    "GROUP_CODES",
    "MIXED_TLS",
    "PQC_GROUPS",
    "STANDARD",
    "CertProfile",
    "CertificateFacts",
    "ChainCertificate",
    "ClassicTlsSpec",
    "Engine",
    "Expected",
    "HostileBehaviour",
    "HostileFacts",
    "HostileSpec",
    "Lab",
    "LabServer",
    "LabStartError",
    "Legacy3desSpec",
    "OpenSslCliSpec",
    "PqcTlsSpec",
    "ServerKind",
    "ServerSpec",
    "StartTlsFacts",
    "StartTlsProtocol",
    "StartTlsSpec",
    "TlsFacts",
    "TlsVersion",
    "serve",
    "spec",
]

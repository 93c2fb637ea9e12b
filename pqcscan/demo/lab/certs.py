"""Certificate chains for the lab servers: a self-signed root and a leaf for ``localhost``, built
with :mod:`pqcscan.demo.builders` (so the root of an ML-DSA chain signs with a real ML-DSA
signature), and the :class:`~pqcscan.demo.lab.model.CertificateFacts` a scanner should report.

Chains are built once per process and profile (RSA-3072 key generation takes a second) and
shared by every server using that profile. ML-DSA keys come from fixed seeds, classical keys
are random.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Final

from pqcscan.demo.builders import FixtureCert, FixtureKey, issue, key, private_key_pem
from pqcscan.demo.builders.entropy import SeededStream, current_stream
from pqcscan.demo.builders.keys import HashName, KeyFamily
from pqcscan.demo.lab.model import CertificateFacts, ChainCertificate

NOT_BEFORE: Final = datetime(2025, 1, 1, tzinfo=UTC)
NOT_AFTER: Final = datetime(2036, 1, 1, tzinfo=UTC)
HOSTNAME: Final = "localhost"

SIGNATURE_NAMES: Final[dict[str, str]] = {
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
    "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
    "1.3.101.112": "id-Ed25519",
    "2.16.840.1.101.3.4.3.17": "id-ml-dsa-44",
    "2.16.840.1.101.3.4.3.18": "id-ml-dsa-65",
    "2.16.840.1.101.3.4.3.19": "id-ml-dsa-87",
}
"""Signature algorithm OIDs the lab writes, by their RFC ASN.1 module names."""


@dataclass(frozen=True)
class CertProfile:
    """Which keys and signature make a chain.

    ``leaf_key`` and ``root_key`` are builder key names ("RSA-2048", "EC-P-256", "Ed25519",
    "ML-DSA-65"); the root defaults to the leaf's algorithm. ``leaf_hash`` is the hash of the
    root's signature on the leaf (RSA/ECDSA roots only; "sha1" makes a SHA-1-signed leaf).
    """

    leaf_key: str
    root_key: str | None = None
    leaf_hash: HashName | None = None

    @property
    def label(self) -> str:
        parts = [self.leaf_key]
        if self.root_key and self.root_key != self.leaf_key:
            parts.append(f"by-{self.root_key}")
        if self.leaf_hash:
            parts.append(self.leaf_hash)
        return "/".join(parts)


RSA2048: Final = CertProfile("RSA-2048")
RSA3072: Final = CertProfile("RSA-3072")
RSA1024: Final = CertProfile("RSA-1024", root_key="RSA-2048")
RSA2048_SHA1: Final = CertProfile("RSA-2048", leaf_hash="sha1")
ECDSA_P256: Final = CertProfile("EC-P-256")
ECDSA_P384: Final = CertProfile("EC-P-384")
ED25519: Final = CertProfile("Ed25519")
ML_DSA_65: Final = CertProfile("ML-DSA-65")


@dataclass(frozen=True, eq=False)
class LabChain:
    """A built chain: leaf and root, the leaf's private key, and the facts."""

    profile: CertProfile
    leaf: FixtureCert
    root: FixtureCert
    facts: CertificateFacts
    key_pem: bytes = field(repr=False)

    @property
    def chain_pem(self) -> bytes:
        """Leaf then root: what the server sends."""
        return self.leaf.pem + self.root.pem

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``chain.pem`` and ``key.pem`` (mode 0600) into ``folder``; return their paths."""
        chain_file, key_file = folder / "chain.pem", folder / "key.pem"
        chain_file.write_bytes(self.chain_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(self.key_pem)
        return chain_file, key_file


def _make_key(name: str, role: str) -> FixtureKey:
    if name.startswith("ML-DSA-"):
        return key(name, seed=f"pqcscan-lab {role} {name}")
    return key(name)


def _describe(cert: FixtureCert) -> ChainCertificate:
    loaded = cert.load()
    sig_oid = loaded.signature_algorithm_oid.dotted_string
    return ChainCertificate(
        subject=loaded.subject.rfc4514_string(),
        issuer=loaded.issuer.rfc4514_string(),
        key_algorithm=cert.key.algorithm,
        key_oid=cert.key.oid,
        signature_algorithm=SIGNATURE_NAMES[sig_oid],
        signature_oid=sig_oid,
        sha256=hashlib.sha256(cert.der).hexdigest(),
        der=cert.der,
    )


def chain(profile: CertProfile) -> LabChain:
    """The chain for ``profile``, built on first use and cached for the process (and, inside
    :func:`~pqcscan.demo.builders.entropy.deterministic`, for that seeded block)."""
    return _chain(profile, current_stream())


@cache
def _chain(profile: CertProfile, _stream: SeededStream | None) -> LabChain:
    root_key = _make_key(profile.root_key or profile.leaf_key, "root")
    leaf_key = _make_key(profile.leaf_key, "leaf")
    root = issue(
        root_key,
        f"CN=pqcscan lab root {root_key.algorithm},O=pqcscan lab",
        not_before=NOT_BEFORE,
        not_after=NOT_AFTER,
        ca=True,
        path_length=0,
        key_usage=["key_cert_sign", "crl_sign"],
    )
    usages = ["digital_signature"]
    if leaf_key.family is KeyFamily.RSA:
        usages.append("key_encipherment")  # RSA key transport suites need it
    leaf = issue(
        leaf_key,
        f"CN={HOSTNAME},O=pqcscan lab",
        root,
        not_before=NOT_BEFORE,
        not_after=NOT_AFTER,
        ca=False,
        key_usage=usages,
        extended_key_usage=["serverAuth"],
        san=[HOSTNAME],
        hash_name=profile.leaf_hash,
    )
    facts = CertificateFacts(
        chain=(_describe(leaf), _describe(root)), hostname=HOSTNAME, san=(HOSTNAME,)
    )
    return LabChain(profile, leaf, root, facts, private_key_pem(leaf_key))

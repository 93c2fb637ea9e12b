"""Host-key algorithms: which offered names share one key, and checking the server's
signature over the exchange hash.

``rsa-sha2-512``, ``rsa-sha2-256`` and ``ssh-rsa`` are three signature algorithms over one
RSA key (RFC 8332), and likewise for their ``-cert-v01@openssh.com`` certificate forms: one
key exchange fetches the key for all of them. Every other name is its own key.

The signature in the key-exchange reply is checked against ``H`` for Ed25519, ECDSA
(P-256/384/521), RSA (SHA-1/256/512) and DSA keys, and for OpenSSH certificates of them
(RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332, RFC 8709). Other key types (FIDO ``sk-``, PQC,
X.509) are fetched and classified, but their signature is reported as not tested.
"""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from pqcscan.collectors.certs.formats.ssh import SshWireError, key_type_of
from pqcscan.collectors.ssh.wire import Reader, SshProtocolError
from pqcscan.results import Capability, Support

CERT_SUFFIX = "-cert-v01@openssh.com"
#: RSA signature algorithms, best first: the one we ask for when a server offers several.
RSA_SIGNATURES = ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")
_RSA_HASHES: dict[str, hashes.HashAlgorithm] = {
    "rsa-sha2-512": hashes.SHA512(),
    "rsa-sha2-256": hashes.SHA256(),
    "ssh-rsa": hashes.SHA1(),
}
_ECDSA_HASHES: dict[str, hashes.HashAlgorithm] = {
    "ecdsa-sha2-nistp256": hashes.SHA256(),
    "ecdsa-sha2-nistp384": hashes.SHA384(),
    "ecdsa-sha2-nistp521": hashes.SHA512(),
}


def signature_name(algorithm: str) -> str:
    """The signature format name a host-key algorithm signs with (certificates: their key's)."""
    return algorithm.removesuffix(CERT_SUFFIX)


def key_type(algorithm: str) -> str:
    """The key (blob) type behind a host-key algorithm: ``ssh-rsa`` for ``rsa-sha2-512``."""
    base = signature_name(algorithm)
    certificate = algorithm.endswith(CERT_SUFFIX)
    if base in RSA_SIGNATURES:
        base = "ssh-rsa"
    return base + CERT_SUFFIX if certificate else base


@dataclass(frozen=True, slots=True)
class HostKeyGroup:
    """Offered host-key algorithms that share one key, in the server's order."""

    key_type: str  # "ssh-rsa", "ssh-ed25519", "ssh-rsa-cert-v01@openssh.com"...
    algorithms: tuple[str, ...]

    @property
    def request(self) -> str:
        """The algorithm to ask for: the strongest RSA signature, else the only name."""
        for preferred in RSA_SIGNATURES:
            for name in self.algorithms:
                if signature_name(name) == preferred:
                    return name
        return self.algorithms[0]


def group_algorithms(algorithms: tuple[str, ...]) -> tuple[HostKeyGroup, ...]:
    """Group offered host-key algorithms by the key they need, in first-offered order."""
    groups: dict[str, list[str]] = {}
    for name in algorithms:
        groups.setdefault(key_type(name), []).append(name)
    return tuple(HostKeyGroup(k, tuple(v)) for k, v in groups.items())


def _load_public_key(blob: bytes) -> object:
    """The host key as a ``cryptography`` object (a certificate's subject key), or None."""
    try:
        line = key_type_of(blob).encode() + b" " + base64.b64encode(blob)
    except SshWireError:
        return None
    try:
        identity = serialization.load_ssh_public_identity(line)
    except Exception:  # ValueError, or UnsupportedAlgorithm (DSA, types this build lacks)
        try:
            with warnings.catch_warnings():  # ssh-dss: deprecated by cryptography, still read
                warnings.simplefilter("ignore")
                return serialization.load_ssh_public_key(line)
        except Exception:
            return None
    if isinstance(identity, serialization.SSHCertificate):
        return identity.public_key()
    return identity


def _ecdsa_signature(data: bytes) -> bytes:
    r = Reader(data, "ECDSA signature")
    return encode_dss_signature(r.mpint(), r.mpint())


def verify(algorithm: str, host_key: bytes, signature: bytes, h: bytes) -> tuple[str, Capability]:
    """Check the server's signature over ``H``: (signature algorithm name, result).

    ``algorithm`` is the host-key algorithm that was negotiated. The result is
    ``supported`` when the signature verifies, ``not-supported`` when it does not (or names
    the wrong algorithm), ``not-tested`` when this scanner has no verifier for the key type.
    """
    try:
        r = Reader(signature, "signature")
        sig_name = r.string().decode("ascii", "replace")
        sig_data = r.string()
    except SshProtocolError:
        return "", Capability(Support.NOT_SUPPORTED, "malformed signature blob")
    expected = signature_name(algorithm)
    if sig_name != expected:
        return sig_name, Capability(
            Support.NOT_SUPPORTED, f"signature is {sig_name}, {expected} was negotiated"
        )
    key = _load_public_key(host_key)
    if key is None:
        return sig_name, Capability(
            Support.NOT_TESTED, f"no verifier for {key_type_of_safe(host_key)}"
        )
    try:
        if isinstance(key, ed25519.Ed25519PublicKey) and sig_name == "ssh-ed25519":
            key.verify(sig_data, h)
        elif isinstance(key, ec.EllipticCurvePublicKey) and sig_name in _ECDSA_HASHES:
            key.verify(_ecdsa_signature(sig_data), h, ec.ECDSA(_ECDSA_HASHES[sig_name]))
        elif isinstance(key, rsa.RSAPublicKey) and sig_name in _RSA_HASHES:
            key.verify(sig_data, h, padding.PKCS1v15(), _RSA_HASHES[sig_name])
        elif isinstance(key, dsa.DSAPublicKey) and sig_name == "ssh-dss" and len(sig_data) == 40:
            der = encode_dss_signature(
                int.from_bytes(sig_data[:20], "big"), int.from_bytes(sig_data[20:], "big")
            )
            key.verify(der, h, hashes.SHA1())
        else:
            return sig_name, Capability(Support.NOT_TESTED, f"no verifier for {sig_name}")
    except (InvalidSignature, SshProtocolError, ValueError):
        return sig_name, Capability(
            Support.NOT_SUPPORTED, "the signature over the exchange hash does not verify"
        )
    return sig_name, Capability(Support.SUPPORTED, f"{sig_name} signature over H verified")


def key_type_of_safe(blob: bytes) -> str:
    try:
        return key_type_of(blob)
    except SshWireError:
        return "an unreadable key blob"

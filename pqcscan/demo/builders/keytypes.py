"""The key type every builder passes around: :class:`FixtureKey`, and how it signs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders import oids
from pqcscan.demo.builders.entropy import random_function, seeded

HashName = Literal["sha1", "sha256", "sha384", "sha512"]
Seed = bytes | str | None

HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_HASH_OIDS: Final = {
    "sha1": oids.SHA1,
    "sha256": oids.SHA256,
    "sha384": oids.SHA384,
    "sha512": oids.SHA512,
}
_RSA_SIG: Final = {
    "sha1": oids.SHA1_WITH_RSA,
    "sha256": oids.SHA256_WITH_RSA,
    "sha384": oids.SHA384_WITH_RSA,
    "sha512": oids.SHA512_WITH_RSA,
}
_ECDSA_SIG: Final = {
    "sha1": oids.ECDSA_WITH_SHA1,
    "sha256": oids.ECDSA_WITH_SHA256,
    "sha384": oids.ECDSA_WITH_SHA384,
    "sha512": oids.ECDSA_WITH_SHA512,
}
_DSA_SIG: Final = {"sha1": oids.DSA_WITH_SHA1, "sha256": oids.DSA_WITH_SHA256}


class KeyFamily(StrEnum):
    """Algorithm family of a fixture key."""

    RSA = "rsa"
    DSA = "dsa"
    EC = "ec"
    ED25519 = "ed25519"
    ED448 = "ed448"
    X25519 = "x25519"
    X448 = "x448"
    DH = "dh"
    ML_DSA = "ml-dsa"
    SLH_DSA = "slh-dsa"
    ML_KEM = "ml-kem"
    COMPOSITE_ML_DSA = "composite-ml-dsa"


PQC_FAMILIES: Final = frozenset(
    {KeyFamily.ML_DSA, KeyFamily.SLH_DSA, KeyFamily.ML_KEM, KeyFamily.COMPOSITE_ML_DSA}
)
_NON_SIGNING: Final = frozenset({KeyFamily.X25519, KeyFamily.X448, KeyFamily.DH, KeyFamily.ML_KEM})

PqcSigner = Callable[[bytes], bytes]


@dataclass(frozen=True, eq=False)
class FixtureKey:
    """A key pair with its standard encodings, whatever the algorithm.

    ``algorithm`` is a readable name ("RSA-2048", "EC-P-384", "ML-DSA-65", "SLH-DSA-SHA2-128f",
    "ML-KEM-768", "MLDSA65-ECDSA-P256-SHA512"); ``oid`` is the SubjectPublicKeyInfo algorithm.
    Private material never appears in ``repr``.
    """

    algorithm: str
    family: KeyFamily
    oid: str
    spki_der: bytes
    public_key_bits: bytes
    pkcs8_der: bytes = field(repr=False)
    classical: PrivateKeyTypes | None = field(default=None, repr=False)
    pkcs8_forms: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    pqc_signer: PqcSigner | None = field(default=None, repr=False)
    pqc_private: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    real: bool = True
    """False for structure-only keys (well-formed encodings, no usable private key)."""

    @property
    def is_pqc(self) -> bool:
        return self.family in PQC_FAMILIES

    @property
    def can_sign(self) -> bool:
        return self.real and self.family not in _NON_SIGNING

    @property
    def key_identifier(self) -> bytes:
        """RFC 5280 method-1 key identifier (SHA-1 of the public key bits)."""
        return asn1.key_identifier(self.public_key_bits)

    def public_key(self) -> PublicKeyTypes | None:
        """The ``cryptography`` public key, or None for PQC keys it cannot load."""
        return None if self.classical is None or self.is_pqc else self.classical.public_key()

    def private(self, part: str) -> bytes:
        """Raw PQC private material by name ("seed", "expanded", "sk")."""
        return dict(self.pqc_private)[part]

    def pkcs8(self, form: str = "default") -> bytes:
        """PKCS#8 DER; ML-DSA/ML-KEM also offer ``form`` "seed", "expanded" or "both"."""
        if form == "default":
            return self.pkcs8_der
        forms = dict(self.pkcs8_forms)
        if form not in forms:
            raise ValueError(f"{self.algorithm} has no {form!r} private-key form")
        return forms[form]

    def default_hash(self) -> HashName:
        """The hash a careful CA would pair with this key."""
        if isinstance(self.classical, ec.EllipticCurvePrivateKey) and not self.is_pqc:
            size = self.classical.curve.key_size
            return "sha512" if size > 384 else "sha384" if size > 256 else "sha256"
        return "sha256"

    def signature_algorithm(self, hash_name: HashName | None = None, pss: bool = False) -> bytes:
        """DER AlgorithmIdentifier of the signatures :meth:`sign` makes with these options."""
        h = hash_name or self.default_hash()
        fam = self.family
        if fam is KeyFamily.RSA:
            return (
                pss_algorithm_identifier(h)
                if pss
                else asn1.algorithm_identifier(_RSA_SIG[h], asn1.null())
            )
        if fam is KeyFamily.EC:
            return asn1.algorithm_identifier(_ECDSA_SIG[h])
        if fam is KeyFamily.DSA:
            return asn1.algorithm_identifier(_DSA_SIG[h])
        if fam is KeyFamily.ED25519:
            return asn1.algorithm_identifier(oids.ED25519)
        if fam is KeyFamily.ED448:
            return asn1.algorithm_identifier(oids.ED448)
        if fam in (KeyFamily.ML_DSA, KeyFamily.SLH_DSA, KeyFamily.COMPOSITE_ML_DSA):
            return asn1.algorithm_identifier(self.oid)  # RFC 9881/9909, draft: parameters absent
        raise ValueError(f"{self.algorithm} keys cannot sign")

    def sign(self, data: bytes, hash_name: HashName | None = None, pss: bool = False) -> bytes:
        """Sign ``data`` as described by :meth:`signature_algorithm` with the same options."""
        if not self.can_sign:
            why = "structure-only key" if not self.real else "not a signature algorithm"
            raise ValueError(f"{self.algorithm} keys cannot sign ({why})")
        if self.pqc_signer is not None:
            return self.pqc_signer(data)
        return classical_sign(self.classical, data, hash_name or self.default_hash(), pss)


def pss_algorithm_identifier(h: HashName) -> bytes:
    """RSASSA-PSS with MGF1 on the same hash and salt length = hash length (RFC 4055)."""
    hash_id = asn1.algorithm_identifier(_HASH_OIDS[h], asn1.null())
    params = asn1.seq(
        asn1.explicit(0, hash_id),
        asn1.explicit(1, asn1.algorithm_identifier(oids.MGF1, hash_id)),
        asn1.explicit(2, asn1.integer(HASHES[h]().digest_size)),
    )
    return asn1.algorithm_identifier(oids.RSASSA_PSS, params)


def classical_sign(key: PrivateKeyTypes | None, data: bytes, h: HashName, pss: bool) -> bytes:
    """Sign with a ``cryptography`` key. ECDSA is deterministic (RFC 6979); inside
    :func:`~pqcscan.demo.builders.entropy.deterministic` so are PSS salts and DSA nonces."""
    algo = HASHES[h]()
    seeded_pss = pss and isinstance(key, rsa.RSAPrivateKey)
    if seeded() and (seeded_pss or isinstance(key, dsa.DSAPrivateKey)):
        assert isinstance(key, rsa.RSAPrivateKey | dsa.DSAPrivateKey)
        return _seeded_sign(key, data, h)
    if isinstance(key, rsa.RSAPrivateKey):
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size)
            if pss
            else padding.PKCS1v15()
        )
        return key.sign(data, pad, algo)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(algo, deterministic_signing=True))
    if isinstance(key, dsa.DSAPrivateKey):
        return key.sign(data, algo)
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return key.sign(data)
    raise ValueError(f"cannot sign with {type(key).__name__}")


def _seeded_sign(key: rsa.RSAPrivateKey | dsa.DSAPrivateKey, data: bytes, h: HashName) -> bytes:
    """RSASSA-PSS with a salt from the seeded stream, or DSA with RFC 6979 nonces
    (PyCryptodome: ``cryptography`` draws both from the OS)."""
    from Crypto.Hash import SHA1, SHA256, SHA384, SHA512
    from Crypto.PublicKey import DSA, RSA
    from Crypto.Signature import DSS, pss

    digest = {"sha1": SHA1, "sha256": SHA256, "sha384": SHA384, "sha512": SHA512}[h].new(data)
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        rsa_key = RSA.construct((n.public_numbers.n, n.public_numbers.e, n.d, n.p, n.q))
        signer = pss.new(rsa_key, rand_func=random_function("pss-salt"))
        return bytes(signer.sign(digest))
    d = key.private_numbers()
    p = d.public_numbers.parameter_numbers
    dsa_key = DSA.construct((d.public_numbers.y, p.g, p.p, p.q, d.x))
    return bytes(DSS.new(dsa_key, "deterministic-rfc6979", "der").sign(digest))


def seed_bytes(seed: Seed) -> bytes | None:
    return seed.encode() if isinstance(seed, str) else seed


class FixtureUnavailable(RuntimeError):
    """A fixture needs an optional package or tool that is not installed."""

"""Post-quantum keys: ML-DSA (dilithium-py), SLH-DSA (``slhdsa``, imported lazily), ML-KEM
(:mod:`.mlkem`) and composite ML-DSA (draft-ietf-lamps-pq-composite-sigs-19)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders import oids
from pqcscan.demo.builders.classical import ec_key, ed25519_private
from pqcscan.demo.builders.keytypes import (
    HASHES,
    FixtureKey,
    FixtureUnavailable,
    HashName,
    KeyFamily,
    Seed,
    seed_bytes,
)
from pqcscan.demo.builders.mlkem import mlkem_keygen

ML_DSA_SIZES: Final = {44: (1312, 2560, 2420), 65: (1952, 4032, 3309), 87: (2592, 4896, 4627)}
"""Public key, expanded private key and signature sizes (FIPS 204 table 2)."""


# --------------------------------------------------------------------------- ML-DSA


def ml_dsa_key(level: int = 65, seed: Seed = None) -> FixtureKey:
    """A real ML-DSA-44/65/87 key (dilithium-py). PKCS#8 defaults to RFC 9881's ``seed [0]``
    form; ``pkcs8("expanded")`` and ``pkcs8("both")`` give the other two CHOICE arms."""
    from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

    impl = {44: ML_DSA_44, 65: ML_DSA_65, 87: ML_DSA_87}.get(level)
    if impl is None:
        raise ValueError(f"ML-DSA level must be 44, 65 or 87, not {level}")
    xi = asn1.derive_bytes(seed_bytes(seed), f"ml-dsa-{level}", 32)
    pk, sk = impl.key_derive(xi)
    oid = oids.ML_DSA[level]
    forms = _lattice_private_forms(oid, xi, sk)

    def signer(data: bytes) -> bytes:
        return bytes(impl.sign(sk, data, deterministic=True))

    return FixtureKey(
        algorithm=f"ML-DSA-{level}",
        family=KeyFamily.ML_DSA,
        oid=oid,
        spki_der=asn1.spki(oid, pk),
        public_key_bits=pk,
        pkcs8_der=dict(forms)["seed"],
        pkcs8_forms=forms,
        pqc_signer=signer,
        pqc_private=(("seed", xi), ("expanded", sk)),
    )


def _lattice_private_forms(oid: str, seed: bytes, expanded: bytes) -> tuple[tuple[str, bytes], ...]:
    """The three arms of the RFC 9881 / RFC 9935 private-key CHOICE, each wrapped in PKCS#8."""
    choice = {
        "seed": asn1.implicit_primitive(0, seed),
        "expanded": asn1.octets(expanded),
        "both": asn1.seq(asn1.octets(seed), asn1.octets(expanded)),
    }
    return tuple((name, asn1.one_asymmetric_key(oid, value)) for name, value in choice.items())


# --------------------------------------------------------------------------- SLH-DSA


def slh_dsa_key(parameter_set: str = "SHA2-128f", seed: Seed = None) -> FixtureKey:
    """A real SLH-DSA key (``slhdsa`` package, imported here because it is a test-only
    dependency). Signing is FIPS 205 pure mode with an empty context, deterministic
    (``opt_rand = PK.seed``). The "f" sets sign in ~0.1 s, the "s" sets in seconds."""
    try:
        import slhdsa
        from slhdsa.lowlevel.addresses import Address
        from slhdsa.lowlevel.xmss import XMSS
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise FixtureUnavailable(
            "SLH-DSA fixtures need the 'slh-dsa' package (test extra)"
        ) from exc
    if parameter_set not in oids.SLH_DSA:
        raise ValueError(f"unknown SLH-DSA parameter set {parameter_set!r}")
    par = getattr(slhdsa, parameter_set.lower().replace("-", "_"))
    n = par.n
    raw = seed_bytes(seed)
    if raw is None:
        sec = slhdsa.KeyPair.gen(par).sec
    else:
        material = asn1.derive_bytes(raw, f"slh-dsa-{parameter_set}", 3 * n)
        sk_seed, sk_prf, pk_seed = material[:n], material[n : 2 * n], material[2 * n :]
        pk_root = XMSS(par).node(sk_seed, 0, par.h_m, pk_seed, Address(par.d - 1, 0))
        sec = slhdsa.SecretKey((sk_seed, sk_prf, pk_seed, pk_root), par)
    secret = bytes(sec.digest())
    public = secret[2 * n :]
    oid = oids.SLH_DSA[parameter_set]

    def signer(data: bytes) -> bytes:
        return bytes(sec.sign_pure(data))

    return FixtureKey(
        algorithm=f"SLH-DSA-{parameter_set}",
        family=KeyFamily.SLH_DSA,
        oid=oid,
        spki_der=asn1.spki(oid, public),
        public_key_bits=public,
        # RFC 9909: the privateKey OCTET STRING holds the 4n raw bytes, no further wrapping.
        pkcs8_der=asn1.one_asymmetric_key(oid, secret),
        pqc_signer=signer,
        pqc_private=(("sk", secret),),
    )


def slh_dsa_structure_only(parameter_set: str = "SHA2-128f", seed: Seed = None) -> FixtureKey:
    """An SLH-DSA key that needs no SLH-DSA implementation: the public key (PK.seed || PK.root)
    and private key are random bytes of the right sizes, so the SPKI and PKCS#8 are well formed
    but the key cannot sign and PK.root does not match SK.seed. For environments without
    ``slhdsa``; a certificate for it must be signed by another key."""
    if parameter_set not in oids.SLH_DSA:
        raise ValueError(f"unknown SLH-DSA parameter set {parameter_set!r}")
    n = {"128": 16, "192": 24, "256": 32}[parameter_set.split("-")[1][:3]]
    secret = asn1.derive_bytes(seed_bytes(seed), f"slh-dsa-structure-{parameter_set}", 4 * n)
    oid = oids.SLH_DSA[parameter_set]
    return FixtureKey(
        algorithm=f"SLH-DSA-{parameter_set}",
        family=KeyFamily.SLH_DSA,
        oid=oid,
        spki_der=asn1.spki(oid, secret[2 * n :]),
        public_key_bits=secret[2 * n :],
        pkcs8_der=asn1.one_asymmetric_key(oid, secret),
        pqc_private=(("sk", secret),),
        real=False,
    )


def slh_dsa_available() -> bool:
    """True when the ``slhdsa`` package (test extra) can be imported."""
    try:
        import slhdsa  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- ML-KEM


def ml_kem_key(level: int = 768, seed: Seed = None) -> FixtureKey:
    """A real ML-KEM-512/768/1024 key (FIPS 203 key generation from the 64-byte seed).
    PKCS#8 defaults to RFC 9935's ``seed [0]`` form; "expanded" and "both" are available."""
    d_z = asn1.derive_bytes(seed_bytes(seed), f"ml-kem-{level}", 64)
    pair = mlkem_keygen(level, d_z)
    oid = oids.ML_KEM[level]
    forms = _lattice_private_forms(oid, d_z, pair.decapsulation_key)
    return FixtureKey(
        algorithm=f"ML-KEM-{level}",
        family=KeyFamily.ML_KEM,
        oid=oid,
        spki_der=asn1.spki(oid, pair.encapsulation_key),
        public_key_bits=pair.encapsulation_key,
        pkcs8_der=dict(forms)["seed"],
        pkcs8_forms=forms,
        pqc_private=(("seed", d_z), ("expanded", pair.decapsulation_key)),
    )


# --------------------------------------------------------------------------- composite ML-DSA

COMPOSITE_PREFIX: Final = b"CompositeAlgorithmSignatures2025"


@dataclass(frozen=True)
class CompositeProfile:
    """One draft-19 composite ML-DSA combination this module can build."""

    level: int
    traditional: str  # "P-256", "P-384", "Ed25519"
    prehash: HashName
    traditional_hash: HashName | None

    def label(self, name: str) -> bytes:
        return f"COMPSIG-{name}".encode()


COMPOSITE_PROFILES: Final[dict[str, CompositeProfile]] = {
    "MLDSA44-Ed25519-SHA512": CompositeProfile(44, "Ed25519", "sha512", None),
    "MLDSA44-ECDSA-P256-SHA256": CompositeProfile(44, "P-256", "sha256", "sha256"),
    "MLDSA65-ECDSA-P256-SHA512": CompositeProfile(65, "P-256", "sha512", "sha256"),
    "MLDSA65-ECDSA-P384-SHA512": CompositeProfile(65, "P-384", "sha512", "sha384"),
    "MLDSA65-Ed25519-SHA512": CompositeProfile(65, "Ed25519", "sha512", None),
    "MLDSA87-ECDSA-P384-SHA512": CompositeProfile(87, "P-384", "sha512", "sha384"),
}


def composite_message(name: str, message: bytes, context: bytes = b"") -> bytes:
    """The draft's message representative M' = Prefix || Label || len(ctx) || ctx || PH(M)."""
    profile = COMPOSITE_PROFILES[name]
    digest = hashlib.new(profile.prehash, message).digest()
    return COMPOSITE_PREFIX + profile.label(name) + bytes([len(context)]) + context + digest


def composite_ml_dsa_key(name: str = "MLDSA65-ECDSA-P256-SHA512", seed: Seed = None) -> FixtureKey:
    """A composite ML-DSA key (draft-ietf-lamps-pq-composite-sigs-19).

    SPKI: the composite OID, parameters absent, BIT STRING = ``mldsaPK || tradPK`` (tradPK is the
    uncompressed EC point or the raw Ed25519 key). PKCS#8 privateKey = ``mldsaSeed || tradSK``
    (tradSK an RFC 5915 ECPrivateKey, or the raw Ed25519 key). ``sign`` returns
    ``mldsaSig || tradSig``: ML-DSA over M' with ctx = Label, the traditional half over M'.
    """
    if name not in COMPOSITE_PROFILES:
        raise ValueError(
            f"unsupported composite {name!r}; supported: {', '.join(COMPOSITE_PROFILES)}"
        )
    profile = COMPOSITE_PROFILES[name]
    raw = seed_bytes(seed)
    mldsa = ml_dsa_key(profile.level, seed=None if raw is None else raw + b"/composite")
    from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

    impl = {44: ML_DSA_44, 65: ML_DSA_65, 87: ML_DSA_87}[profile.level]
    trad: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    if profile.traditional == "Ed25519":
        trad = ed25519_private()
        trad_pk = trad.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        trad_sk = trad.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    else:
        ec_private = ec_key(profile.traditional).classical
        assert isinstance(ec_private, ec.EllipticCurvePrivateKey)
        trad = ec_private
        trad_pk = trad.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        trad_sk = trad.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    oid = oids.COMPOSITE_ML_DSA[name]
    public = mldsa.public_key_bits + trad_pk
    expanded = mldsa.private("expanded")
    label = profile.label(name)

    def signer(data: bytes) -> bytes:
        m_prime = composite_message(name, data)
        pq_sig = bytes(impl.sign(expanded, m_prime, ctx=label, deterministic=True))
        if isinstance(trad, ed25519.Ed25519PrivateKey):
            return pq_sig + trad.sign(m_prime)
        assert profile.traditional_hash is not None
        return pq_sig + trad.sign(
            m_prime, ec.ECDSA(HASHES[profile.traditional_hash](), deterministic_signing=True)
        )

    return FixtureKey(
        algorithm=name,
        family=KeyFamily.COMPOSITE_ML_DSA,
        oid=oid,
        spki_der=asn1.spki(oid, public),
        public_key_bits=public,
        pkcs8_der=asn1.one_asymmetric_key(oid, mldsa.private("seed") + trad_sk),
        classical=trad,
        pqc_signer=signer,
        pqc_private=(("seed", mldsa.private("seed")), ("expanded", expanded)),
    )

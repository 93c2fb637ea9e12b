"""Keys: every family loads in an independent reader, signatures verify, PQC encodings follow
RFC 9881 / 9909 / 9935 and draft-ietf-lamps-pq-composite-sigs."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280, rfc5958

from pqcscan.demo.builders import keys, oids
from pqcscan.demo.builders.keys import KeyFamily
from pqcscan.demo.builders.mlkem import is_well_formed_encapsulation_key, mlkem_keygen

from .conftest import needs_slhdsa, slh_params

CLASSICAL = [
    "RSA-1024",
    "RSA-2048",
    "DSA-2048",
    "EC-P-192",
    "EC-P-224",
    "EC-P-256",
    "EC-P-384",
    "EC-P-521",
    "EC-secp256k1",
    "EC-brainpoolP256r1",
    "EC-brainpoolP384r1",
    "EC-brainpoolP512r1",
    "Ed25519",
    "Ed448",
    "X25519",
    "X448",
    "DH",
]
ML_DSA = {44: ML_DSA_44, 65: ML_DSA_65, 87: ML_DSA_87}


def spki(der: bytes) -> rfc5280.SubjectPublicKeyInfo:
    value, rest = decoder.decode(der, asn1Spec=rfc5280.SubjectPublicKeyInfo())
    assert rest == b""
    return value


def private_key_info(der: bytes) -> rfc5958.OneAsymmetricKey:
    value, rest = decoder.decode(der, asn1Spec=rfc5958.OneAsymmetricKey())
    assert rest == b""
    return value


def algorithm(der: bytes) -> rfc5280.AlgorithmIdentifier:
    value, _ = decoder.decode(der, asn1Spec=rfc5280.AlgorithmIdentifier())
    return value


def verify_classical(
    key: keys.FixtureKey, data: bytes, sig: bytes, h: str, pss: bool = False
) -> None:
    """Verify with cryptography, choosing the scheme from the key type (not from the builder)."""
    public = serialization.load_der_public_key(key.spki_der)
    algos: dict[str, hashes.HashAlgorithm] = {
        "sha1": hashes.SHA1(),
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    algo = algos[h]
    if isinstance(public, rsa.RSAPublicKey):
        pad = padding.PSS(padding.MGF1(algo), algo.digest_size) if pss else padding.PKCS1v15()
        public.verify(sig, data, pad, algo)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(sig, data, ec.ECDSA(algo))
    elif isinstance(public, dsa.DSAPublicKey):
        public.verify(sig, data, algo)
    elif isinstance(public, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        public.verify(sig, data)
    else:
        raise AssertionError(f"no verifier for {type(public).__name__}")


@pytest.mark.parametrize("name", CLASSICAL)
def test_classical_keys_load_in_cryptography(name: str) -> None:
    key = keys.key(name)
    private = serialization.load_der_private_key(key.pkcs8_der, None)
    public = serialization.load_der_public_key(key.spki_der)
    assert (
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == key.spki_der
    )
    assert str(spki(key.spki_der)["algorithm"]["algorithm"]) == key.oid
    assert key.public_key() is not None
    assert type(public).__name__  # loaded
    assert not key.is_pqc


@pytest.mark.parametrize(
    ("name", "hash_name", "expected_oid"),
    [
        ("RSA-2048", "sha256", oids.SHA256_WITH_RSA),
        ("RSA-2048", "sha1", oids.SHA1_WITH_RSA),
        ("RSA-2048", "sha512", oids.SHA512_WITH_RSA),
        ("EC-P-256", None, oids.ECDSA_WITH_SHA256),
        ("EC-P-384", None, oids.ECDSA_WITH_SHA384),
        ("EC-P-521", None, oids.ECDSA_WITH_SHA512),
        ("EC-secp256k1", "sha256", oids.ECDSA_WITH_SHA256),
        ("DSA-2048", "sha256", oids.DSA_WITH_SHA256),
        ("Ed25519", None, oids.ED25519),
        ("Ed448", None, oids.ED448),
    ],
)
def test_classical_signatures_verify(name: str, hash_name: str | None, expected_oid: str) -> None:
    key = keys.key(name)
    data = b"tbs bytes"
    sig = key.sign(data, hash_name)  # type: ignore[arg-type]
    alg = algorithm(key.signature_algorithm(hash_name))  # type: ignore[arg-type]
    assert str(alg["algorithm"]) == expected_oid
    verify_classical(key, data, sig, hash_name or key.default_hash())


def test_rsa_pss_signature_and_parameters() -> None:
    key = keys.rsa_key(2048)
    sig = key.sign(b"data", "sha384", pss=True)
    verify_classical(key, b"data", sig, "sha384", pss=True)
    alg = algorithm(key.signature_algorithm("sha384", pss=True))
    assert str(alg["algorithm"]) == oids.RSASSA_PSS
    params = bytes(alg["parameters"])
    from pyasn1_modules import rfc4055

    pss, _ = decoder.decode(params, asn1Spec=rfc4055.RSASSA_PSS_params())
    assert str(pss["hashAlgorithm"]["algorithm"]) == oids.SHA384
    assert str(pss["maskGenAlgorithm"]["algorithm"]) == oids.MGF1
    assert int(pss["saltLength"]) == 48


@pytest.mark.parametrize("name", ["X25519", "X448", "DH", "ML-KEM-768"])
def test_key_agreement_and_kem_keys_cannot_sign(name: str) -> None:
    key = keys.key(name, seed="x")
    assert not key.can_sign
    with pytest.raises(ValueError, match="cannot sign"):
        key.sign(b"x")


@pytest.mark.parametrize("level", [44, 65, 87])
def test_ml_dsa_keys_follow_rfc_9881_and_sign(level: int) -> None:
    key = keys.ml_dsa_key(level, seed="fixed")
    impl = ML_DSA[level]
    info = spki(key.spki_der)
    assert str(info["algorithm"]["algorithm"]) == oids.ML_DSA[level]
    assert not info["algorithm"]["parameters"].isValue  # parameters absent
    pk = bytes(info["subjectPublicKey"].asOctets())
    assert len(pk) == keys.ML_DSA_SIZES[level][0]

    # seed [0] form: privateKey OCTET STRING holds 0x80 0x20 <32-byte seed>
    p8 = private_key_info(key.pkcs8("seed"))
    assert str(p8["privateKeyAlgorithm"]["algorithm"]) == oids.ML_DSA[level]
    choice = bytes(p8["privateKey"])
    assert choice[:2] == b"\x80\x20"
    derived_pk, derived_sk = impl.key_derive(choice[2:])
    assert derived_pk == pk
    assert key.pkcs8() == key.pkcs8("seed")

    expanded = bytes(private_key_info(key.pkcs8("expanded"))["privateKey"])
    assert expanded[0] == 0x04
    assert expanded.endswith(derived_sk)
    both = bytes(private_key_info(key.pkcs8("both"))["privateKey"])
    assert both[0] == 0x30 and choice[2:] in both and derived_sk in both

    sig = key.sign(b"message")
    assert len(sig) == keys.ML_DSA_SIZES[level][2]
    assert impl.verify(pk, b"message", sig)
    assert not impl.verify(pk, b"other message", sig)


def test_ml_dsa_seed_makes_keys_reproducible() -> None:
    assert keys.ml_dsa_key(65, seed="a").spki_der == keys.ml_dsa_key(65, seed="a").spki_der
    assert keys.ml_dsa_key(65, seed="a").spki_der != keys.ml_dsa_key(65, seed="b").spki_der


@pytest.mark.parametrize(
    ("level", "sizes"), [(512, (800, 1632)), (768, (1184, 2400)), (1024, (1568, 3168))]
)
def test_ml_kem_keys_follow_rfc_9935(level: int, sizes: tuple[int, int]) -> None:
    key = keys.ml_kem_key(level, seed="kem")
    info = spki(key.spki_der)
    assert str(info["algorithm"]["algorithm"]) == oids.ML_KEM[level]
    ek = bytes(info["subjectPublicKey"].asOctets())
    assert len(ek) == sizes[0]
    assert is_well_formed_encapsulation_key(level, ek)
    seed_form = bytes(private_key_info(key.pkcs8())["privateKey"])
    assert seed_form[:2] == b"\x80\x40"  # seed [0] IMPLICIT OCTET STRING (SIZE (64))
    dk = bytes(private_key_info(key.pkcs8("expanded"))["privateKey"])[4:]
    assert len(dk) == sizes[1]
    # FIPS 203: dk = dk_pke || ek || H(ek) || z
    assert dk[384 * (level // 256) :].startswith(ek)
    assert dk[-64:-32] == hashlib.sha3_256(ek).digest()
    assert dk[-32:] == seed_form[2 + 32 :]


def test_ml_kem_keygen_matches_the_lamps_example_key() -> None:
    """draft-ietf-lamps-kyber-certificates example: ML-KEM-512 from seed 00 01 .. 3f. Its
    public key (800 bytes, in the example certificate) has this SHA-256."""
    pair = mlkem_keygen(512, bytes(range(64)))
    assert hashlib.sha256(pair.encapsulation_key).hexdigest() == (
        "3ae268dccc5456ac0d0f9b39257dc48fe081383b97c400512d712b739762daee"
    )


def test_ml_kem_modulus_check_rejects_bad_coefficients() -> None:
    ek = bytearray(keys.ml_kem_key(512, seed="m").public_key_bits)
    ek[0], ek[1] = 0xFF, ek[1] | 0x0F  # first coefficient = 4095 >= q
    assert not is_well_formed_encapsulation_key(512, bytes(ek))


@needs_slhdsa
def test_slh_dsa_key_and_signature_verify_with_slhdsa() -> None:
    import slhdsa

    key = keys.slh_dsa_key("SHA2-128f", seed="s")
    info = spki(key.spki_der)
    assert str(info["algorithm"]["algorithm"]) == oids.SLH_DSA["SHA2-128f"]
    pk = bytes(info["subjectPublicKey"].asOctets())
    assert len(pk) == 32
    secret = bytes(private_key_info(key.pkcs8_der)["privateKey"])
    # RFC 9909: the raw SK.seed || SK.prf || PK.seed || PK.root
    assert len(secret) == 64 and secret[32:] == pk
    # from_digest validates PK.root against SK.seed
    slhdsa.SecretKey.from_digest(secret, slh_params("sha2_128f"))
    public = slhdsa.PublicKey.from_digest(pk, slh_params("sha2_128f"))
    sig = key.sign(b"firmware image")
    assert public.verify_pure(b"firmware image", sig)
    assert not public.verify_pure(b"tampered image", sig)
    assert keys.slh_dsa_key("SHA2-128f", seed="s").spki_der == key.spki_der


def test_structure_only_slh_dsa_is_well_formed_but_cannot_sign() -> None:
    key = keys.slh_dsa_structure_only("SHAKE-256f", seed="x")
    assert str(spki(key.spki_der)["algorithm"]["algorithm"]) == oids.SLH_DSA["SHAKE-256f"]
    assert len(key.public_key_bits) == 64
    assert len(bytes(private_key_info(key.pkcs8_der)["privateKey"])) == 128
    assert not key.real and not key.can_sign
    with pytest.raises(ValueError, match="structure-only"):
        key.sign(b"x")


@pytest.mark.parametrize(
    ("name", "trad_len"),
    [
        ("MLDSA65-ECDSA-P256-SHA512", 65),
        ("MLDSA87-ECDSA-P384-SHA512", 97),
        ("MLDSA44-Ed25519-SHA512", 32),
    ],
)
def test_composite_keys_and_both_signature_halves(name: str, trad_len: int) -> None:
    key = keys.composite_ml_dsa_key(name, seed="c")
    profile = keys.COMPOSITE_PROFILES[name]
    info = spki(key.spki_der)
    assert str(info["algorithm"]["algorithm"]) == oids.COMPOSITE_ML_DSA[name]
    assert not info["algorithm"]["parameters"].isValue
    pk_size, _, sig_size = keys.ML_DSA_SIZES[profile.level]
    public = bytes(info["subjectPublicKey"].asOctets())
    assert len(public) == pk_size + trad_len
    mldsa_pk, trad_pk = public[:pk_size], public[pk_size:]

    message = b"tbsCertificate"
    sig = key.sign(message)
    m_prime = keys.composite_message(name, message)
    assert m_prime.startswith(
        b"CompositeAlgorithmSignatures2025" + f"COMPSIG-{name}".encode() + b"\x00"
    )
    assert ML_DSA[profile.level].verify(
        mldsa_pk, m_prime, sig[:sig_size], ctx=f"COMPSIG-{name}".encode()
    )
    trad_sig = sig[sig_size:]
    if profile.traditional == "Ed25519":
        ed25519.Ed25519PublicKey.from_public_bytes(trad_pk).verify(trad_sig, m_prime)
    else:
        curve = ec.SECP256R1() if profile.traditional == "P-256" else ec.SECP384R1()
        algo = hashes.SHA256() if profile.traditional_hash == "sha256" else hashes.SHA384()
        ec.EllipticCurvePublicKey.from_encoded_point(curve, trad_pk).verify(
            trad_sig, m_prime, ec.ECDSA(algo)
        )

    p8 = bytes(private_key_info(key.pkcs8_der)["privateKey"])
    derived_pk, _ = ML_DSA[profile.level].key_derive(p8[:32])
    assert derived_pk == mldsa_pk


def test_every_composite_oid_is_under_id_pkix_6() -> None:
    assert len(oids.COMPOSITE_ML_DSA) == 18
    assert all(o.startswith("1.3.6.1.5.5.7.6.") for o in oids.COMPOSITE_ML_DSA.values())
    assert set(keys.COMPOSITE_PROFILES) <= set(oids.COMPOSITE_ML_DSA)


@pytest.mark.parametrize(
    "name", ["RSA-2048", "EC-P-256", "ML-DSA-44", "ML-KEM-512", "MLDSA44-Ed25519-SHA512"]
)
def test_repr_never_shows_private_material(name: str) -> None:
    key = keys.key(name, seed="r")
    text = repr(key)
    assert key.pkcs8_der.hex() not in text
    assert "pkcs8" not in text and "classical" not in text


def test_families_and_pqc_flags() -> None:
    assert keys.key("ML-DSA-44").family is KeyFamily.ML_DSA and keys.key("ML-DSA-44").is_pqc
    assert keys.key("Ed25519").family is KeyFamily.ED25519
    with pytest.raises(ValueError, match="unknown key name"):
        keys.key("RSA")
    with pytest.raises(ValueError, match="unknown curve"):
        keys.ec_key("P-999")

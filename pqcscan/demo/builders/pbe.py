"""Password-based encryption the fixture formats need, written out so any key (PQC included)
can be protected the way real tools protect it:

- PBES2 (PBKDF2-HMAC + AES-CBC, RFC 8018) and PBES1 (pbeWithMD5AndDES-CBC) for encrypted PKCS#8;
- the PKCS#12 key-derivation function (RFC 7292 appendix B) with pbeWithSHAAnd3-KeyTripleDES-CBC,
  and the PKCS#12 MAC key;
- OpenSSL's traditional PEM encryption (``Proc-Type``/``DEK-Info``, EVP_BytesToKey with MD5);
- Sun's JKS ``KeyProtector`` and JCEKS ``PBEWithMD5AndTripleDES``.

Every function takes its salt/IV explicitly or through ``seed`` so fixtures can be reproducible.
"""

from __future__ import annotations

import hashlib
from typing import Final, Literal

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders import oids

Pkcs8Scheme = Literal["pbes2-aes256", "pbes2-aes128", "pbes1-md5-des", "pkcs12-3des"]
PemCipher = Literal["AES-128-CBC", "AES-256-CBC", "DES-EDE3-CBC"]

_PEM_CIPHERS: Final = {"AES-128-CBC": (16, 16), "AES-256-CBC": (32, 16), "DES-EDE3-CBC": (24, 8)}


def _pad(data: bytes, block_bits: int) -> bytes:
    padder = sym_padding.PKCS7(block_bits).padder()
    return padder.update(data) + padder.finalize()


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """CBC with PKCS#7 padding: 3DES when the IV is 8 bytes, else AES."""
    if len(iv) == 8:
        cipher = Cipher(TripleDES(key), modes.CBC(iv))
        padded = _pad(data, 64)
    else:
        cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
        padded = _pad(data, 128)
    enc = cipher.encryptor()
    return enc.update(padded) + enc.finalize()


# --------------------------------------------------------------------------- PKCS#5 / PKCS#8


def pbes2(
    data: bytes,
    password: str,
    *,
    iterations: int = 2048,
    key_size: int = 32,
    prf: Literal["sha1", "sha256"] = "sha256",
    seed: bytes | None = None,
) -> tuple[bytes, bytes]:
    """PBES2 with PBKDF2-HMAC-``prf`` and AES-CBC (``key_size`` bytes).

    Returns (AlgorithmIdentifier, ciphertext)."""
    salt = asn1.derive_bytes(seed, "pbes2-salt", 16)
    iv = asn1.derive_bytes(seed, "pbes2-iv", 16)
    key = hashlib.pbkdf2_hmac(prf, password.encode(), salt, iterations, key_size)
    prf_oid = oids.HMAC_SHA256 if prf == "sha256" else oids.HMAC_SHA1
    kdf_params = asn1.seq(
        asn1.octets(salt),
        asn1.integer(iterations),
        asn1.algorithm_identifier(prf_oid, asn1.null()),
    )
    cipher_oid = oids.AES256_CBC if key_size == 32 else oids.AES128_CBC
    params = asn1.seq(
        asn1.algorithm_identifier(oids.PBKDF2, kdf_params),
        asn1.algorithm_identifier(cipher_oid, asn1.octets(iv)),
    )
    return asn1.algorithm_identifier(oids.PBES2, params), cbc_encrypt(key, iv, data)


def pbes1_md5_des(
    data: bytes, password: str, *, iterations: int = 2048, seed: bytes | None = None
) -> tuple[bytes, bytes]:
    """PBES1 pbeWithMD5AndDES-CBC (PBKDF1-MD5); single DES as 3DES with K1=K2=K3."""
    salt = asn1.derive_bytes(seed, "pbes1-salt", 8)
    derived = password.encode() + salt
    for _ in range(iterations):
        derived = hashlib.md5(derived, usedforsecurity=False).digest()
    key, iv = derived[:8], derived[8:16]
    params = asn1.seq(asn1.octets(salt), asn1.integer(iterations))
    return asn1.algorithm_identifier(oids.PBE_MD5_DES_CBC, params), cbc_encrypt(key * 3, iv, data)


def pkcs12_kdf(
    password: str, salt: bytes, purpose: int, iterations: int, size: int, hash_name: str = "sha1"
) -> bytes:
    """RFC 7292 appendix B.2; ``purpose`` 1 = key, 2 = IV, 3 = MAC key. The password is a
    NUL-terminated BMPString (an empty password is two zero bytes)."""
    v = hashlib.new(hash_name).block_size
    pw = password.encode("utf-16-be") + b"\x00\x00"

    def fill(data: bytes) -> bytes:
        if not data:
            return b""
        length = v * ((len(data) + v - 1) // v)
        return (data * (length // len(data) + 1))[:length]

    d = bytes([purpose]) * v
    i_block = bytearray(fill(salt) + fill(pw))
    out = b""
    while len(out) < size:
        a = d + bytes(i_block)
        for _ in range(iterations):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes(fill(a)[:v], "big")
        for j in range(0, len(i_block), v):
            chunk = (int.from_bytes(i_block[j : j + v], "big") + b + 1) % (1 << (8 * v))
            i_block[j : j + v] = chunk.to_bytes(v, "big")
    return out[:size]


def pkcs12_3des(
    data: bytes, password: str, *, iterations: int = 2048, seed: bytes | None = None
) -> tuple[bytes, bytes]:
    """pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292); returns (AlgorithmIdentifier, ciphertext)."""
    salt = asn1.derive_bytes(seed, "p12-3des-salt", 8)
    key = pkcs12_kdf(password, salt, 1, iterations, 24)
    iv = pkcs12_kdf(password, salt, 2, iterations, 8)
    params = asn1.seq(asn1.octets(salt), asn1.integer(iterations))
    return asn1.algorithm_identifier(oids.PBE_SHA1_3DES, params), cbc_encrypt(key, iv, data)


def encrypted_pkcs8(
    pkcs8_der: bytes,
    password: str,
    scheme: Pkcs8Scheme = "pbes2-aes256",
    *,
    iterations: int = 2048,
    seed: bytes | None = None,
) -> bytes:
    """EncryptedPrivateKeyInfo DER around any PKCS#8 key."""
    if scheme == "pbes2-aes256":
        alg, ct = pbes2(pkcs8_der, password, iterations=iterations, key_size=32, seed=seed)
    elif scheme == "pbes2-aes128":
        alg, ct = pbes2(pkcs8_der, password, iterations=iterations, key_size=16, seed=seed)
    elif scheme == "pbes1-md5-des":
        alg, ct = pbes1_md5_des(pkcs8_der, password, iterations=iterations, seed=seed)
    elif scheme == "pkcs12-3des":
        alg, ct = pkcs12_3des(pkcs8_der, password, iterations=iterations, seed=seed)
    else:
        raise ValueError(f"unknown PKCS#8 encryption scheme {scheme!r}")
    return asn1.seq(alg, asn1.octets(ct))


# ------------------------------------------------------------------ OpenSSL traditional PEM


def evp_bytes_to_key(
    password: bytes, salt: bytes, key_len: int, iv_len: int
) -> tuple[bytes, bytes]:
    """OpenSSL's EVP_BytesToKey with MD5 and one iteration (what ``DEK-Info`` PEM uses)."""
    out, prev = b"", b""
    while len(out) < key_len + iv_len:
        prev = hashlib.md5(prev + password + salt, usedforsecurity=False).digest()
        out += prev
    return out[:key_len], out[key_len : key_len + iv_len]


def traditional_encrypted_pem(
    der: bytes,
    label: str,
    password: str,
    cipher: PemCipher = "AES-128-CBC",
    *,
    seed: bytes | None = None,
) -> bytes:
    """An OpenSSL "traditional" encrypted PEM (``Proc-Type: 4,ENCRYPTED`` + ``DEK-Info``),
    e.g. label "RSA PRIVATE KEY" around PKCS#1 or "EC PRIVATE KEY" around SEC1."""
    key_len, iv_len = _PEM_CIPHERS[cipher]
    iv = asn1.derive_bytes(seed, "dek-info-iv", iv_len)
    key, _ = evp_bytes_to_key(password.encode(), iv[:8], key_len, 0)
    body = cbc_encrypt(key, iv, der)
    headers = [("Proc-Type", "4,ENCRYPTED"), ("DEK-Info", f"{cipher},{iv.hex().upper()}")]
    return asn1.pem(label, body, headers)


# --------------------------------------------------------------------------- Java keystores


def _java_password(password: str) -> bytes:
    """Java chars as UTF-16BE code units."""
    return password.encode("utf-16-be")


def jks_protect(pkcs8_der: bytes, password: str, *, seed: bytes | None = None) -> bytes:
    """Sun ``KeyProtector`` (JKS): salt(20) || pkcs8 XOR SHA-1 keystream || SHA-1(pw || pkcs8),
    wrapped in an EncryptedPrivateKeyInfo with OID 1.3.6.1.4.1.42.2.17.1.1 and NULL parameters."""
    pw = _java_password(password)
    salt = asn1.derive_bytes(seed, "jks-salt", 20)
    stream, digest = b"", salt
    while len(stream) < len(pkcs8_der):
        digest = hashlib.sha1(pw + digest, usedforsecurity=False).digest()
        stream += digest
    body = bytes(a ^ b for a, b in zip(pkcs8_der, stream, strict=False))
    check = hashlib.sha1(pw + pkcs8_der, usedforsecurity=False).digest()
    return asn1.seq(
        asn1.algorithm_identifier(oids.SUN_JKS_KEY_PROTECTOR, asn1.null()),
        asn1.octets(salt + body + check),
    )


def jceks_protect(
    pkcs8_der: bytes, password: str, *, iterations: int = 200_000, seed: bytes | None = None
) -> bytes:
    """Sun JCE ``PBEWithMD5AndTripleDES`` (JCEKS private keys), OID 1.3.6.1.4.1.42.2.19.1 with
    PBEParameter {salt(8), iterationCount}. Each salt half is hashed with the password
    ``iterations`` times (MD5); the two digests give the 3DES key (24) and IV (8). Java 17
    writes 200,000 iterations by default; readers accept up to 5,000,000."""
    salt = bytearray(asn1.derive_bytes(seed, "jceks-salt", 8))
    pw = bytes(ord(c) & 0x7F for c in password)  # PBEKey keeps the low 7 bits of each char
    if salt[:4] == salt[4:]:  # Sun's rule: identical halves -> reverse the first half
        salt[:4] = salt[3::-1]
    derived = b""
    for half in (bytes(salt[:4]), bytes(salt[4:])):
        block = half
        for _ in range(iterations):
            block = hashlib.md5(block + pw, usedforsecurity=False).digest()
        derived += block
    key, iv = derived[:24], derived[24:32]
    params = asn1.seq(asn1.octets(bytes(salt)), asn1.integer(iterations))
    return asn1.seq(
        asn1.algorithm_identifier(oids.SUN_JCE_PBE_MD5_3DES, params),
        asn1.octets(cbc_encrypt(key, iv, pkcs8_der)),
    )


def java_keystore_digest(password: str, body: bytes) -> bytes:
    """The JKS/JCEKS integrity check: SHA-1(password as UTF-16BE || "Mighty Aphrodite" || body)."""
    return hashlib.sha1(
        _java_password(password) + b"Mighty Aphrodite" + body, usedforsecurity=False
    ).digest()

"""Certificate containers: PEM/DER files, PEM bundles, PKCS#7 certs-only, PKCS#12.

PKCS#12 has three writers behind :func:`pkcs12`:

- ``cryptography`` (``serialize_key_and_certificates``) for classical keys with no encryption,
  modern AES-256-CBC/PBKDF2-SHA256/HMAC-SHA256, or legacy 3DES/SHA-1 (``encryption_builder``);
- :func:`pkcs12_structure`, our own RFC 7292 writer, for what ``cryptography`` cannot emit: PQC
  private keys, Java "trusted certificate" bag attributes;
- ``openssl pkcs12 -export -legacy`` for the OpenSSL 1.x default (RC2-40 certificates, 3DES key,
  SHA-1 MAC), since no Python library here implements 40-bit RC2.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_p12

from pqcscan.demo.builders import _asn1 as asn1
from pqcscan.demo.builders import oids
from pqcscan.demo.builders.keys import FixtureKey, FixtureUnavailable
from pqcscan.demo.builders.pbe import pbes2, pkcs12_3des, pkcs12_kdf
from pqcscan.demo.builders.x509 import FixtureCert

CertLike = FixtureCert | bytes


def cert_der(cert: CertLike) -> bytes:
    return cert.der if isinstance(cert, FixtureCert) else cert


def certificate_pem(cert: CertLike, eol: str = "\n") -> bytes:
    return asn1.pem("CERTIFICATE", cert_der(cert), eol=eol)


def pem_bundle(certs: Sequence[CertLike], *, commentary: bool = True, crlf: bool = False) -> bytes:
    """Several certificates in one PEM file, the way CA bundles look: with ``commentary``, each
    block is preceded by a ``#`` header and ``subject=``/``issuer=`` lines (text between blocks
    that a parser must skip); ``crlf`` writes Windows line endings."""
    eol = "\r\n" if crlf else "\n"
    out = []
    if commentary:
        out.append(
            f"# CA bundle written by pqcscan fixtures{eol}# {len(certs)} certificates{eol}{eol}"
        )
    for cert in certs:
        if commentary:
            loaded = x509.load_der_x509_certificate(cert_der(cert))
            out.append(
                f"subject={loaded.subject.rfc4514_string()}{eol}issuer={loaded.issuer.rfc4514_string()}{eol}"
            )
        out.append(certificate_pem(cert, eol).decode())
        if commentary:
            out.append(eol)
    return "".join(out).encode()


def pkcs7_certs(
    certs: Sequence[CertLike], encoding: serialization.Encoding = serialization.Encoding.PEM
) -> bytes:
    """A PKCS#7 "certs-only" SignedData (.p7b/.p7c) in PEM (``PKCS7``) or DER."""
    loaded = [x509.load_der_x509_certificate(cert_der(c)) for c in certs]
    return pkcs7.serialize_certificates(loaded, encoding)


class P12Encryption(StrEnum):
    """How a PKCS#12 file protects its contents."""

    NONE = "none"  # no encryption, no MAC
    AES256 = "aes256"  # PBES2 AES-256-CBC + PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC (OpenSSL 3 default)
    LEGACY_3DES = "3des"  # pbeWithSHAAnd3-KeyTripleDES-CBC for key and certs, HMAC-SHA1 MAC
    LEGACY_RC2_40 = "rc2-40"  # OpenSSL 1.x default: RC2-40 certs, 3DES key, HMAC-SHA1 MAC


def pkcs12(
    key: FixtureKey | None,
    certs: Sequence[CertLike],
    password: str | None,
    encryption: P12Encryption = P12Encryption.AES256,
    *,
    friendly_name: str = "fixture",
    java_trusted: bool = False,
    iterations: int = 2048,
    seed: bytes | None = None,
) -> bytes:
    """A PKCS#12 file with an optional key (paired with ``certs[0]``) and its chain, or a
    certificate-only trust store. ``java_trusted`` marks certificate bags the way keytool does,
    so Java reads them as trusted-certificate entries. See the module docstring for which writer
    is used."""
    if encryption is P12Encryption.LEGACY_RC2_40:
        if key is None or password is None:
            raise ValueError("the openssl legacy writer needs a key and a password")
        return openssl_legacy_pkcs12(key, certs, password, friendly_name)
    if (
        (key is None or not key.is_pqc)
        and not java_trusted
        and (password is not None or encryption is P12Encryption.NONE)
    ):
        return _cryptography_pkcs12(key, certs, password, encryption, friendly_name, iterations)
    return pkcs12_structure(
        key,
        certs,
        password,
        encryption,
        friendly_name=friendly_name,
        java_trusted=java_trusted,
        iterations=iterations,
        seed=seed,
    )


def _cryptography_pkcs12(
    key: FixtureKey | None,
    certs: Sequence[CertLike],
    password: str | None,
    encryption: P12Encryption,
    friendly_name: str,
    iterations: int,
) -> bytes:
    loaded = [x509.load_der_x509_certificate(cert_der(c)) for c in certs]
    enc: serialization.KeySerializationEncryption
    if encryption is P12Encryption.NONE or password is None:
        enc = serialization.NoEncryption()
    else:
        builder = serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(iterations)
        if encryption is P12Encryption.LEGACY_3DES:
            builder = builder.key_cert_algorithm(
                crypto_p12.PBES.PBESv1SHA1And3KeyTripleDESCBC
            ).hmac_hash(hashes.SHA1())
        else:
            builder = builder.key_cert_algorithm(
                crypto_p12.PBES.PBESv2SHA256AndAES256CBC
            ).hmac_hash(hashes.SHA256())
        enc = builder.build(password.encode())
    if key is not None:
        private = key.classical
        if not isinstance(
            private,
            rsa.RSAPrivateKey
            | dsa.DSAPrivateKey
            | ec.EllipticCurvePrivateKey
            | ed25519.Ed25519PrivateKey
            | ed448.Ed448PrivateKey,
        ):
            raise ValueError(f"PKCS#12 cannot hold a {key.algorithm} key through cryptography")
        cert, cas = (loaded[0] if loaded else None), loaded[1:]
        return crypto_p12.serialize_key_and_certificates(
            friendly_name.encode(), private, cert, cas or None, enc
        )
    return crypto_p12.serialize_key_and_certificates(
        friendly_name.encode(), None, None, loaded or None, enc
    )


def _attribute(oid: str, value: bytes) -> bytes:
    return asn1.seq(asn1.oid(oid), asn1.set_of(value))


def pkcs12_structure(
    key: FixtureKey | None,
    certs: Sequence[CertLike],
    password: str | None,
    encryption: P12Encryption = P12Encryption.AES256,
    *,
    friendly_name: str = "fixture",
    java_trusted: bool = False,
    iterations: int = 2048,
    seed: bytes | None = None,
) -> bytes:
    """Our own RFC 7292 writer: works for any key (PQC included). One unencrypted "data" safe
    with the (shrouded) key bag, one encrypted safe with the certificate bags; MAC with
    HMAC-SHA256 (AES-256 mode) or HMAC-SHA1 (3DES mode); no MAC and no encryption for NONE."""
    if encryption is P12Encryption.LEGACY_RC2_40:
        raise ValueError("RC2-40 is only available through openssl_legacy_pkcs12")
    encrypt = password is not None and encryption is not P12Encryption.NONE
    pw = password or ""
    local_id = (
        hashlib.sha1(cert_der(certs[0]), usedforsecurity=False).digest() if certs and key else None
    )

    def encrypt_blob(data: bytes, label: str) -> tuple[bytes, bytes]:
        sub = None if seed is None else seed + label.encode()
        if encryption is P12Encryption.LEGACY_3DES:
            return pkcs12_3des(data, pw, iterations=iterations, seed=sub)
        return pbes2(data, pw, iterations=iterations, seed=sub)

    cert_bags = []
    for index, cert in enumerate(certs):
        attrs = []
        if index == 0 and local_id is not None:
            attrs.append(_attribute(oids.PKCS9_LOCAL_KEY_ID, asn1.octets(local_id)))
            attrs.append(_attribute(oids.PKCS9_FRIENDLY_NAME, asn1.bmp_string(friendly_name)))
        elif java_trusted:
            alias = friendly_name if len(certs) == 1 else f"{friendly_name}-{index}"
            attrs.append(_attribute(oids.PKCS9_FRIENDLY_NAME, asn1.bmp_string(alias)))
            attrs.append(
                _attribute(oids.ORACLE_TRUSTED_KEY_USAGE, asn1.oid(oids.ANY_EXTENDED_KEY_USAGE))
            )
        cert_bag = asn1.seq(
            asn1.oid(oids.PKCS9_X509_CERTIFICATE), asn1.explicit(0, asn1.octets(cert_der(cert)))
        )
        cert_bags.append(
            asn1.seq(
                asn1.oid(oids.P12_CERT_BAG),
                asn1.explicit(0, cert_bag),
                asn1.set_of(*attrs) if attrs else b"",
            )
        )
    safes = []
    if key is not None:
        attrs = [_attribute(oids.PKCS9_FRIENDLY_NAME, asn1.bmp_string(friendly_name))]
        if local_id is not None:
            attrs.append(_attribute(oids.PKCS9_LOCAL_KEY_ID, asn1.octets(local_id)))
        if encrypt:
            alg, ct = encrypt_blob(key.pkcs8_der, "key")
            bag = asn1.seq(
                asn1.oid(oids.P12_SHROUDED_KEY_BAG),
                asn1.explicit(0, asn1.seq(alg, asn1.octets(ct))),
                asn1.set_of(*attrs),
            )
        else:
            bag = asn1.seq(
                asn1.oid(oids.P12_KEY_BAG), asn1.explicit(0, key.pkcs8_der), asn1.set_of(*attrs)
            )
        safes.append(_data_content(asn1.seq(bag)))
    if cert_bags:
        contents = asn1.seq(*cert_bags)
        if encrypt:
            alg, ct = encrypt_blob(contents, "certs")
            enc_content_info = asn1.seq(
                asn1.oid(oids.PKCS7_DATA), alg, asn1.implicit_primitive(0, ct)
            )
            safes.insert(
                0,
                asn1.seq(
                    asn1.oid(oids.PKCS7_ENCRYPTED_DATA),
                    asn1.explicit(0, asn1.seq(asn1.integer(0), enc_content_info)),
                ),
            )
        else:
            safes.insert(0, _data_content(contents))
    auth_safe = asn1.seq(*safes)
    mac = b""
    if encrypt:
        hash_name = "sha1" if encryption is P12Encryption.LEGACY_3DES else "sha256"
        salt = asn1.derive_bytes(seed, "p12-mac-salt", 8)
        size = hashlib.new(hash_name).digest_size
        mac_key = pkcs12_kdf(pw, salt, 3, iterations, size, hash_name)
        digest = hmac.new(mac_key, auth_safe, hash_name).digest()
        hash_oid = oids.SHA1 if hash_name == "sha1" else oids.SHA256
        mac = asn1.seq(
            asn1.seq(asn1.algorithm_identifier(hash_oid, asn1.null()), asn1.octets(digest)),
            asn1.octets(salt),
            asn1.integer(iterations),
        )
    return asn1.seq(asn1.integer(3), _data_content(auth_safe), mac)


def _data_content(inner: bytes) -> bytes:
    return asn1.seq(asn1.oid(oids.PKCS7_DATA), asn1.explicit(0, asn1.octets(inner)))


def openssl_legacy_pkcs12(
    key: FixtureKey, certs: Sequence[CertLike], password: str, friendly_name: str = "fixture"
) -> bytes:
    """A PKCS#12 as OpenSSL 1.x wrote it by default, made by ``openssl pkcs12 -export -legacy``
    (classical keys only; raises :class:`FixtureUnavailable` without an openssl binary)."""
    exe = shutil.which("openssl")
    if exe is None or key.is_pqc:
        raise FixtureUnavailable("RC2-40 PKCS#12 needs the openssl command and a classical key")
    with tempfile.TemporaryDirectory(prefix="pqcscan-p12-") as tmp:
        folder = Path(tmp)
        (folder / "key.pem").write_bytes(asn1.pem("PRIVATE KEY", key.pkcs8_der))
        (folder / "certs.pem").write_bytes(b"".join(certificate_pem(c) for c in certs))
        out = folder / "out.p12"
        cmd = [
            exe,
            "pkcs12",
            "-export",
            "-legacy",
            "-inkey",
            str(folder / "key.pem"),
            "-in",
            str(folder / "certs.pem"),
            "-name",
            friendly_name,
            "-passout",
            "env:P12PASS",
            "-out",
            str(out),
        ]
        result = subprocess.run(cmd, capture_output=True, env={"P12PASS": password}, check=False)
        if result.returncode != 0:
            raise FixtureUnavailable(
                f"openssl pkcs12 -legacy failed: {result.stderr.decode(errors='replace')[:200]}"
            )
        return out.read_bytes()

"""Legacy payment-gateway client: mutual TLS and message signing.

Do not call hashlib.md5() here; see the notes in README.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric import rsa as _rsa

KEY_SIZE = 2048
GATEWAY = ("gateway.example.test", 8443)


def make_context(cafile: str) -> ssl.SSLContext:
    # ssl.PROTOCOL_TLSv1 was used until 2019
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE+AESGCM:!aNULL:!eNULL:!RC4")
    context.load_verify_locations(cafile)
    return context


def new_signing_key() -> _rsa.RSAPrivateKey:
    return _rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def new_session_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def sign_request(key: _rsa.RSAPrivateKey, body: bytes) -> bytes:
    return key.sign(body, padding.PKCS1v15(), hashes.SHA256())


def legacy_mac(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, digestmod=hashlib.sha1).hexdigest()


def self_signed(key: _rsa.RSAPrivateKey, builder: x509.CertificateBuilder) -> x509.Certificate:
    return builder.sign(key, hashes.SHA1())


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def export(key: _rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def connect(context: ssl.SSLContext) -> ssl.SSLSocket:
    raw = socket.create_connection(GATEWAY)
    return context.wrap_socket(raw, server_hostname=GATEWAY[0])

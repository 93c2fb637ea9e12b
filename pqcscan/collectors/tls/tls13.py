"""The client side of a TLS 1.3 handshake, up to the server's Finished, to read certificates.

What it does: sends a ClientHello with a real key share for one group (classic, ffdhe, ML-KEM
or hybrid; :mod:`.keyshare`), derives the handshake traffic secrets with the RFC 8446 §7.1 key
schedule (HKDF-Extract, HKDF-Expand-Label, Derive-Secret), decrypts the server's records
(TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,
TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256), and reads EncryptedExtensions, Certificate,
CertificateVerify and Finished. The CertificateVerify signature is checked against the leaf
key (RSA-PSS, RSA PKCS#1, ECDSA, Ed25519, Ed448 with ``cryptography``; ML-DSA-44/65/87 with
dilithium-py) and the server Finished MAC is checked too. Then the connection is closed: no
client Finished is sent, no application data is exchanged.

Limits: a HelloRetryRequest ends the attempt (the caller retries on a new connection with the
group the server asked for); client certificates are not supported (a CertificateRequest is
noted and ignored); records are capped like every other message (:mod:`.wire`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305

from pqcscan.collectors.certs.formats.der import DerError, field_at, read_tlv
from pqcscan.collectors.tls.conn import Channel, ProbeError
from pqcscan.collectors.tls.hello import HelloReply, Until, send_hello
from pqcscan.collectors.tls.keyshare import ClientKeyShare, KeyShareError
from pqcscan.collectors.tls.wire import (
    MAX_PLAINTEXT,
    ClientHelloSpec,
    ContentType,
    HandshakeBuffer,
    HandshakeMessage,
    HandshakeType,
    TlsVersion,
    WireError,
    parse_alert,
    parse_certificate,
    parse_certificate_verify,
    parse_encrypted_extensions,
)
from pqcscan.results import ErrorKind


@dataclass(frozen=True, slots=True)
class SuiteParams:
    hash_name: str
    key_length: int
    aead: Callable[[bytes], Any]


def _ccm8(key: bytes) -> AESCCM:
    return AESCCM(key, tag_length=8)


#: TLS 1.3 cipher suites this client can decrypt.
TLS13_SUITES: dict[int, SuiteParams] = {
    0x1301: SuiteParams("sha256", 16, AESGCM),
    0x1302: SuiteParams("sha384", 32, AESGCM),
    0x1303: SuiteParams("sha256", 32, ChaCha20Poly1305),
    0x1304: SuiteParams("sha256", 16, AESCCM),
    0x1305: SuiteParams("sha256", 16, _ccm8),
}


# -- key schedule (RFC 8446 §7.1, RFC 5869) --------------------------------------------------


def hkdf_extract(hash_name: str, salt: bytes, ikm: bytes) -> bytes:
    size = hashlib.new(hash_name).digest_size
    return hmac.new(salt or bytes(size), ikm, hash_name).digest()


def hkdf_expand(hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
    out = b""
    block = b""
    counter = 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hash_name).digest()
        out += block
        counter += 1
    return out[:length]


def hkdf_expand_label(
    hash_name: str, secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    """HKDF-Expand-Label: the HkdfLabel struct with the "tls13 " prefix."""
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    return hkdf_expand(hash_name, secret, info, length)


def derive_secret(hash_name: str, secret: bytes, label: bytes, transcript_hash: bytes) -> bytes:
    size = hashlib.new(hash_name).digest_size
    return hkdf_expand_label(hash_name, secret, label, transcript_hash, size)


@dataclass(frozen=True, slots=True)
class HandshakeSecrets:
    client: bytes
    server: bytes


def handshake_secrets(hash_name: str, shared: bytes, hello_hash: bytes) -> HandshakeSecrets:
    """Client and server handshake traffic secrets from the (EC)DHE/KEM shared secret and
    Transcript-Hash(ClientHello..ServerHello); no PSK."""
    size = hashlib.new(hash_name).digest_size
    early = hkdf_extract(hash_name, b"", bytes(size))
    empty_hash = hashlib.new(hash_name, b"").digest()
    derived = derive_secret(hash_name, early, b"derived", empty_hash)
    hs = hkdf_extract(hash_name, derived, shared)
    return HandshakeSecrets(
        client=derive_secret(hash_name, hs, b"c hs traffic", hello_hash),
        server=derive_secret(hash_name, hs, b"s hs traffic", hello_hash),
    )


class RecordDecryptor:
    """Decrypts one direction's TLSCiphertext records (RFC 8446 §5.2-5.3)."""

    def __init__(self, suite: int, traffic_secret: bytes) -> None:
        params = TLS13_SUITES[suite]
        self.key = hkdf_expand_label(
            params.hash_name, traffic_secret, b"key", b"", params.key_length
        )
        self.iv = hkdf_expand_label(params.hash_name, traffic_secret, b"iv", b"", 12)
        self.aead = params.aead(self.key)
        self.seq = 0

    def decrypt(self, header: bytes, payload: bytes) -> tuple[int, bytes]:
        """(inner content type, plaintext) of one record; a bad tag is a protocol error."""
        nonce = bytes(a ^ b for a, b in zip(self.iv, self.seq.to_bytes(12, "big"), strict=True))
        try:
            inner = self.aead.decrypt(nonce, payload, header)
        except InvalidTag as exc:
            raise WireError("record failed to decrypt (bad tag)") from exc
        self.seq += 1
        end = len(inner)
        while end and inner[end - 1] == 0:
            end -= 1
        if not end:
            raise WireError("encrypted record without a content type")
        if end - 1 > MAX_PLAINTEXT:
            raise WireError("decrypted record too long")
        return inner[end - 1], inner[: end - 1]


# -- CertificateVerify ------------------------------------------------------------------------

_CV_CONTEXT = b" " * 64 + b"TLS 1.3, server CertificateVerify\x00"
_HASHES: dict[int, Callable[[], hashes.HashAlgorithm]] = {
    0x04: hashes.SHA256,
    0x05: hashes.SHA384,
    0x06: hashes.SHA512,
    0x02: hashes.SHA1,
}
_PSS_HASH: dict[int, Callable[[], hashes.HashAlgorithm]] = {
    0x0804: hashes.SHA256,
    0x0805: hashes.SHA384,
    0x0806: hashes.SHA512,
    0x0809: hashes.SHA256,
    0x080A: hashes.SHA384,
    0x080B: hashes.SHA512,
}
_ML_DSA = {0x0904: "ML_DSA_44", 0x0905: "ML_DSA_65", 0x0906: "ML_DSA_87"}
_ML_DSA_OIDS = {
    "2.16.840.1.101.3.4.3.17": "ML_DSA_44",
    "2.16.840.1.101.3.4.3.18": "ML_DSA_65",
    "2.16.840.1.101.3.4.3.19": "ML_DSA_87",
}


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Whether a signature verified: True, False, or None when it could not be checked."""

    valid: bool | None
    detail: str


def spki_bit_string(spki: bytes) -> bytes:
    """The subjectPublicKey bits of a DER SubjectPublicKeyInfo."""
    top = read_tlv(spki)
    alg = read_tlv(spki, top.start)
    bits = read_tlv(spki, alg.end)
    if bits.tag != 0x03 or bits.end > len(spki):
        raise DerError("SubjectPublicKeyInfo without a BIT STRING")
    content = spki[bits.start : bits.end]
    if not content or content[0] != 0:
        raise DerError("public key BIT STRING with unused bits")
    return content[1:]


def leaf_spki(der: bytes) -> bytes:
    cert = x509.load_der_x509_certificate(der)
    tbs = cert.tbs_certificate_bytes
    tag, _ = field_at(tbs, 0)
    return field_at(tbs, 6 if tag == 0xA0 else 5)[1]


def verify_ml_dsa(param: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Pure ML-DSA (FIPS 204) verification with an empty context, via dilithium-py."""
    from dilithium_py import ml_dsa

    scheme = getattr(ml_dsa, param)
    return bool(scheme.verify(public_key, message, signature, ctx=b""))


def verify_signature(
    leaf_der: bytes, scheme: int, signature: bytes, message: bytes
) -> SignatureCheck:
    """Check ``signature`` over ``message`` with the leaf certificate's key and ``scheme``."""
    try:
        cert = x509.load_der_x509_certificate(leaf_der)
    except (ValueError, x509.InvalidVersion) as exc:
        return SignatureCheck(None, f"leaf certificate unreadable: {exc}")
    oid = cert.public_key_algorithm_oid.dotted_string
    if scheme in _ML_DSA:
        wanted = _ML_DSA[scheme]
        if _ML_DSA_OIDS.get(oid) != wanted:
            return SignatureCheck(False, f"scheme 0x{scheme:04x} does not match key {oid}")
        try:
            raw = spki_bit_string(leaf_spki(leaf_der))
            ok = verify_ml_dsa(wanted, raw, message, signature)
        except Exception as exc:
            return SignatureCheck(None, f"ML-DSA verification failed to run: {exc}")
        return SignatureCheck(
            ok, "ML-DSA signature verified (dilithium-py)" if ok else "bad ML-DSA signature"
        )
    try:
        key = cert.public_key()
    except Exception:
        return SignatureCheck(None, f"key algorithm {oid} cannot be loaded to verify")
    try:
        _verify_classic(key, scheme, signature, message)
    except InvalidSignature:
        return SignatureCheck(False, "signature does not verify")
    except _Unsupported as exc:
        return SignatureCheck(None, str(exc))
    except Exception as exc:  # wrong key type for the scheme, malformed signature
        return SignatureCheck(False, f"signature does not verify: {type(exc).__name__}")
    return SignatureCheck(True, "signature verified (cryptography)")


class _Unsupported(Exception):
    pass


def _verify_classic(key: Any, scheme: int, signature: bytes, message: bytes) -> None:
    if scheme in _PSS_HASH:
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidSignature
        h = _PSS_HASH[scheme]()
        key.verify(signature, message, padding.PSS(padding.MGF1(h), h.digest_size), h)
    elif scheme == 0x0807:
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise InvalidSignature
        key.verify(signature, message)
    elif scheme == 0x0808:
        if not isinstance(key, ed448.Ed448PublicKey):
            raise InvalidSignature
        key.verify(signature, message)
    elif scheme & 0xFF == 0x03 and scheme >> 8 in _HASHES:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise InvalidSignature
        key.verify(signature, message, ec.ECDSA(_HASHES[scheme >> 8]()))
    elif scheme & 0xFF == 0x01 and scheme >> 8 in _HASHES:
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidSignature
        key.verify(signature, message, padding.PKCS1v15(), _HASHES[scheme >> 8]())
    else:
        raise _Unsupported(f"signature scheme 0x{scheme:04x} cannot be verified here")


# -- the handshake ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tls13Handshake:
    """What a completed server flight showed."""

    cipher_suite: int
    group: int
    chain: tuple[bytes, ...]
    signature_scheme: int
    signature_check: SignatureCheck
    finished_ok: bool
    encrypted_extensions: tuple[int, ...]
    certificate_request: bool


class HelloRetry(Exception):
    """The server asked for another group (HelloRetryRequest)."""

    def __init__(self, group: int | None, cipher_suite: int) -> None:
        super().__init__(f"HelloRetryRequest for group {group}")
        self.group = group
        self.cipher_suite = cipher_suite


async def handshake(
    channel: Channel, spec: ClientHelloSpec, shares: dict[int, ClientKeyShare]
) -> Tls13Handshake:
    """Run the server side of the flight for ``spec`` (whose key_share holds ``shares``).

    Raises :class:`HelloRetry` when the server wants another group, :class:`ProbeError` for
    every failure (alerts become ``handshake-failure``).
    """
    reply = await send_hello(channel, spec, Until.SERVER_HELLO)
    sh = reply.server_hello
    if sh is None:
        alert = reply.alert
        raise ProbeError(ErrorKind.HANDSHAKE_FAILURE, f"alert {alert}" if alert else "no reply")
    if sh.is_hrr:
        raise HelloRetry(sh.group, sh.cipher_suite)
    if sh.version != TlsVersion.TLS13:
        raise ProbeError(
            ErrorKind.HANDSHAKE_FAILURE, f"the server negotiated 0x{sh.version:04x}, not TLS 1.3"
        )
    if sh.cipher_suite not in TLS13_SUITES:
        raise ProbeError(
            ErrorKind.PROTOCOL_ERROR, f"cipher suite 0x{sh.cipher_suite:04x} was not offered"
        )
    if sh.group not in shares or sh.key_exchange is None:
        raise ProbeError(ErrorKind.PROTOCOL_ERROR, f"key share for unoffered group {sh.group}")
    try:
        shared = shares[sh.group].shared_secret(sh.key_exchange)
    except KeyShareError as exc:
        raise ProbeError(ErrorKind.PROTOCOL_ERROR, str(exc)) from exc
    try:
        return await _encrypted_flight(channel, reply, shared)
    except WireError as exc:
        raise ProbeError(exc.kind, exc.message) from exc


async def _encrypted_flight(channel: Channel, reply: HelloReply, shared: bytes) -> Tls13Handshake:
    sh = reply.server_hello
    assert sh is not None and sh.group is not None
    params = TLS13_SUITES[sh.cipher_suite]
    transcript = hashlib.new(params.hash_name)
    transcript.update(reply.client_hello)
    transcript.update(reply.server_hello_raw)
    secrets = handshake_secrets(params.hash_name, shared, transcript.digest())
    decryptor = RecordDecryptor(sh.cipher_suite, secrets.server)
    buffer = HandshakeBuffer()
    allowed = _FIRST
    ee: tuple[int, ...] = ()
    chain: tuple[bytes, ...] = ()
    cert_request = False
    scheme = 0
    check = SignatureCheck(None, "no CertificateVerify")
    while True:
        header, payload = await channel.read_record()
        if header.content_type == ContentType.CHANGE_CIPHER_SPEC:
            if payload != b"\x01":
                raise WireError("malformed ChangeCipherSpec")
            continue
        if header.content_type == ContentType.ALERT:
            alert = parse_alert(payload)
            raise ProbeError(ErrorKind.HANDSHAKE_FAILURE, f"alert {alert} after ServerHello")
        if header.content_type != ContentType.APPLICATION_DATA:
            raise WireError(f"clear record type {header.content_type} after a TLS 1.3 ServerHello")
        raw_header = bytes([header.content_type]) + header.version.to_bytes(2, "big")
        raw_header += header.length.to_bytes(2, "big")
        inner_type, plaintext = decryptor.decrypt(raw_header, payload)
        if inner_type == ContentType.ALERT:
            raise ProbeError(
                ErrorKind.HANDSHAKE_FAILURE, f"alert {parse_alert(plaintext)} (encrypted)"
            )
        if inner_type != ContentType.HANDSHAKE:
            raise WireError(f"encrypted record of type {inner_type} during the handshake")
        buffer.feed(plaintext)
        for msg in buffer.messages():
            allowed, done = _step(msg, allowed, transcript)
            if msg.msg_type == HandshakeType.ENCRYPTED_EXTENSIONS:
                ee = tuple(t for t, _ in parse_encrypted_extensions(msg.body))
            elif msg.msg_type == HandshakeType.CERTIFICATE_REQUEST:
                cert_request = True
            elif msg.msg_type == HandshakeType.CERTIFICATE:
                chain = parse_certificate(msg.body, tls13=True)
                if not chain:
                    raise WireError("the server sent an empty certificate chain")
            elif msg.msg_type == HandshakeType.CERTIFICATE_VERIFY:
                scheme, signature = parse_certificate_verify(msg.body)
                check = verify_signature(chain[0], scheme, signature, done)
            elif msg.msg_type == HandshakeType.FINISHED:
                finished_key = hkdf_expand_label(
                    params.hash_name,
                    secrets.server,
                    b"finished",
                    b"",
                    hashlib.new(params.hash_name).digest_size,
                )
                expected_mac = hmac.new(finished_key, done, params.hash_name).digest()
                return Tls13Handshake(
                    cipher_suite=sh.cipher_suite,
                    group=sh.group,
                    chain=chain,
                    signature_scheme=scheme,
                    signature_check=check,
                    finished_ok=hmac.compare_digest(expected_mac, msg.body),
                    encrypted_extensions=ee,
                    certificate_request=cert_request,
                )


_NEXT: dict[int, frozenset[int]] = {
    HandshakeType.ENCRYPTED_EXTENSIONS: frozenset(
        {HandshakeType.CERTIFICATE_REQUEST, HandshakeType.CERTIFICATE}
    ),
    HandshakeType.CERTIFICATE_REQUEST: frozenset({HandshakeType.CERTIFICATE}),
    HandshakeType.CERTIFICATE: frozenset({HandshakeType.CERTIFICATE_VERIFY}),
    HandshakeType.CERTIFICATE_VERIFY: frozenset({HandshakeType.FINISHED}),
    HandshakeType.FINISHED: frozenset(),
}
_FIRST: frozenset[int] = frozenset({HandshakeType.ENCRYPTED_EXTENSIONS})


def _step(
    msg: HandshakeMessage, allowed: frozenset[int], transcript: Any
) -> tuple[frozenset[int], bytes]:
    """Check the message order; return what may come next and, for CertificateVerify and
    Finished, the signed content / the transcript hash before the message."""
    t = msg.msg_type
    if t not in allowed:
        raise WireError(f"handshake message {t} out of order in the server flight")
    before = transcript.digest()
    transcript.update(msg.raw)
    if t == HandshakeType.CERTIFICATE_VERIFY:
        return _NEXT[t], _CV_CONTEXT + before
    return _NEXT[t], before

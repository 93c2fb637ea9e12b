"""The TLS 1.3 key schedule, record protection and key shares, against known answers."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_parameters,
)
from kyber_py.ml_kem import ML_KEM_768, ML_KEM_1024

from pqcscan.collectors.tls import keyshare, tls13
from pqcscan.collectors.tls.wire import WireError

# RFC 8448 §3 "Simple 1-RTT Handshake": the (EC)DHE secret, Transcript-Hash(ClientHello,
# ServerHello) and the handshake traffic secrets, key and IV the trace shows.
SHARED = bytes.fromhex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
HELLO_HASH = bytes.fromhex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8")
CLIENT_HS = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
SERVER_HS = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"


def test_key_schedule_matches_rfc8448() -> None:
    early = tls13.hkdf_extract("sha256", b"", bytes(32))
    assert early.hex() == "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
    secrets = tls13.handshake_secrets("sha256", SHARED, HELLO_HASH)
    assert secrets.client.hex() == CLIENT_HS
    assert secrets.server.hex() == SERVER_HS
    dec = tls13.RecordDecryptor(0x1301, secrets.server)
    assert dec.key.hex() == "3fce516009c21727d0f2e4e86ee403bc"
    assert dec.iv.hex() == "5d313eb2671276ee13000b30"
    finished = tls13.hkdf_expand_label("sha256", secrets.server, b"finished", b"", 32)
    assert finished.hex() == "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"


def test_record_decryption_strips_padding_and_counts() -> None:
    secret = bytes(range(32))
    dec = tls13.RecordDecryptor(0x1301, secret)
    aead = AESGCM(dec.key)
    for seq, inner in enumerate([b"hello\x16", b"x\x15\x00\x00\x00"]):
        header = b"\x17\x03\x03" + (len(inner) + 16).to_bytes(2, "big")
        nonce = bytes(a ^ b for a, b in zip(dec.iv, seq.to_bytes(12, "big"), strict=True))
        ct = aead.encrypt(nonce, inner, header)
        assert dec.decrypt(header, ct) == (inner.rstrip(b"\x00")[-1], inner.rstrip(b"\x00")[:-1])
    with pytest.raises(WireError, match="bad tag"):
        dec.decrypt(b"\x17\x03\x03\x00\x20", bytes(32))


def test_x25519_and_p256_shares() -> None:
    share = keyshare.make_key_share(keyshare.X25519)
    server = x25519.X25519PrivateKey.generate()
    expected = server.exchange(x25519.X25519PublicKey.from_public_bytes(share.public))
    assert share.shared_secret(server.public_key().public_bytes_raw()) == expected
    share = keyshare.make_key_share(keyshare.SECP256R1)
    peer = ec.generate_private_key(ec.SECP256R1())
    point = peer.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    mine = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), share.public)
    assert share.shared_secret(point) == peer.exchange(ec.ECDH(), mine)
    with pytest.raises(keyshare.KeyShareError):
        share.shared_secret(b"\x04" + bytes(10))


def test_hybrid_layouts_follow_draft_ietf_tls_ecdhe_mlkem() -> None:
    # X25519MLKEM768: client = ML-KEM ek || X25519; server = ct || X25519; secret = K || X.
    share = keyshare.make_key_share(keyshare.X25519MLKEM768)
    assert len(share.public) == 1184 + 32
    ek, x_pub = share.public[:1184], share.public[1184:]
    secret, ct = ML_KEM_768.encaps(ek)
    server = x25519.X25519PrivateKey.generate()
    x_secret = server.exchange(x25519.X25519PublicKey.from_public_bytes(x_pub))
    answer = ct + server.public_key().public_bytes_raw()
    assert share.shared_secret(answer) == secret + x_secret
    # SecP384r1MLKEM1024: the ECDH part comes first, in the share and in the secret.
    share = keyshare.make_key_share(keyshare.SECP384R1MLKEM1024)
    assert len(share.public) == 97 + 1568
    point, ek = share.public[:97], share.public[97:]
    secret, ct = ML_KEM_1024.encaps(ek)
    peer = ec.generate_private_key(ec.SECP384R1())
    mine = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), point)
    answer = peer.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint) + ct
    assert share.shared_secret(answer) == peer.exchange(ec.ECDH(), mine) + secret
    assert keyshare.key_share_size(keyshare.SECP256R1MLKEM768) == 65 + 1184


def test_uncomputable_groups_say_so() -> None:
    for group in (0x11EE, 0x6399, 0x0029, 0x0001):
        with pytest.raises(keyshare.KeyShareError):
            keyshare.make_key_share(group)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
@pytest.mark.parametrize("bits", [2048, 3072, 4096, 6144, 8192])
def test_ffdhe_primes_match_openssl(bits: int) -> None:
    pem = subprocess.run(
        ["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", f"group:ffdhe{bits}"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    p = load_pem_parameters(pem).parameter_numbers().p  # type: ignore[union-attr]
    assert keyshare.ffdhe_prime(bits) == p
    assert keyshare.ffdhe_name(p) == f"ffdhe{bits}"
    assert keyshare.ffdhe_name(p + 2) is None


def test_ffdhe_share_agrees_with_itself() -> None:
    a = keyshare.make_key_share(0x0100)
    b = keyshare.make_key_share(0x0100)
    assert len(a.public) == 256
    assert a.shared_secret(b.public) == b.shared_secret(a.public)
    with pytest.raises(keyshare.KeyShareError):
        a.shared_secret((1).to_bytes(256, "big"))

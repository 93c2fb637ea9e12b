"""OpenSSH private keys, public keys, certificates, authorized_keys, known_hosts, RFC 4716."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import KeyKind, ParsedFile, ParsedKey
from pqcscan.demo.builders import broken, ssh
from pqcscan.demo.builders import keys as k
from pqcscan.results import ErrorKind
from tests.unit.collectors.certs.conftest import spki_sha256


def read(data: bytes, name: str) -> ParsedFile:
    fmt = sniff(data[:65536], name, len(data))
    assert fmt is not None
    return parse(data, fmt, ParseOptions(), name)


def keys(parsed: ParsedFile) -> dict[str, ParsedKey]:
    return {e.suffix: e.obj for e in parsed.entries if isinstance(e.obj, ParsedKey)}


@pytest.mark.parametrize(
    ("name", "ssh_type", "parameter"),
    [
        ("Ed25519", "ssh-ed25519", ""),
        ("RSA-3072", "ssh-rsa", "3072"),
        ("EC-P-384", "ecdsa-sha2-nistp384", "secp384r1"),
    ],
)
def test_openssh_private_key_is_classified_without_its_passphrase(
    name: str, ssh_type: str, parameter: str
) -> None:
    key = k.key(name)
    for password in (None, "passphrase"):
        parsed = read(ssh.openssh_private_key(key, password, comment="ops@bastion"), "id_key")
        assert parsed.format == "openssh-private"
        [got] = keys(parsed).values()
        assert got.kind is KeyKind.PRIVATE
        assert got.public_key is not None
        assert got.public_key.ssh_type == ssh_type
        assert got.public_key.parameter == parameter
        assert got.public_key.spki_sha256 == spki_sha256(key)
        assert got.public_key.ssh_fingerprint == ssh.fingerprint(ssh.public_key_line(key))
        if password is None:
            assert not got.encrypted and got.protection == ()
        else:
            assert got.encrypted
            assert got.protection == ("openssh-cipher:aes256-ctr", "openssh-kdf:bcrypt")


def test_ssh_keygen_written_key_and_public_file(tmp_path: Path) -> None:
    path = tmp_path / "id_ecdsa"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ecdsa", "-b", "521", "-N", "pw", "-C", "x", "-f", str(path)],
        check=True,
    )
    private = keys(read(path.read_bytes(), "id_ecdsa"))[""]
    public = keys(read(Path(f"{path}.pub").read_bytes(), "id_ecdsa.pub"))[""]
    assert private.public_key is not None and public.public_key is not None
    assert private.public_key.spki_sha256 == public.public_key.spki_sha256
    assert public.public_key.ssh_type == "ecdsa-sha2-nistp521" and public.kind is KeyKind.PUBLIC
    assert public.comment == "x"


def test_user_certificate_names_its_ca() -> None:
    ca, user = k.ed25519_key(), k.rsa_key(2048)
    line = ssh.user_certificate_line(ca, user, principals=("ops", "root"), key_id="ops@bank")
    [got] = keys(read(line.encode() + b"\n", "id_rsa-cert.pub")).values()
    cert = got.ssh_certificate
    assert cert is not None
    assert (cert.cert_type, cert.key_id, cert.principals) == ("user", "ops@bank", ("ops", "root"))
    assert cert.signature_key.spki_sha256 == spki_sha256(ca)
    assert got.public_key is not None and got.public_key.spki_sha256 == spki_sha256(user)
    assert got.public_key.ssh_type == "ssh-rsa"


def test_authorized_keys_lines_options_and_sk_keys() -> None:
    ed, rsa = k.ed25519_key(), k.rsa_key(2048)
    data = ssh.authorized_keys(
        [
            ssh.AuthorizedKey(ssh.public_key_line(ed), 'from="10.0.0.0/8",command="backup"', "ci"),
            "",
            "# retired key below",
            ssh.AuthorizedKey(ssh.public_key_line(rsa), "", "alice@laptop"),
            ssh.AuthorizedKey(ssh.sk_ed25519_public_line(), "no-pty", "yubikey"),
            ssh.AuthorizedKey(ssh.public_key_line(ed), "cert-authority", "user CA"),
        ]
    )
    parsed = read(data, "authorized_keys")
    assert parsed.format == "authorized_keys" and parsed.errors == ()
    got = keys(parsed)
    assert len(got) == 4 and all(s.startswith(":") for s in got)
    by_type = {key.public_key.ssh_type: key for key in got.values() if key.public_key}
    assert set(by_type) == {"ssh-ed25519", "ssh-rsa", "sk-ssh-ed25519@openssh.com"}
    options = [dict(key.context).get("options") for key in got.values()]
    assert ("from", "command") in options and ("cert-authority",) in options
    assert not any("10.0.0.0" in str(o) for o in options)  # option values are not kept


def test_known_hosts_markers_ports_and_hashed_hosts() -> None:
    a, b_, c = k.ed25519_key(), k.ec_key("P-256"), k.rsa_key(2048)
    data = ssh.known_hosts(
        [
            ssh.KnownHost(["git.example.test", "10.1.2.3"], ssh.public_key_line(a)),
            ssh.KnownHost(["[sftp.example.test]:2222"], ssh.public_key_line(b_)),
            ssh.KnownHost(["secret.example.test"], ssh.public_key_line(c), hashed=True),
            ssh.KnownHost(["*.example.test"], ssh.public_key_line(a), marker="@cert-authority"),
        ],
        seed=b"salt",
    )
    parsed = read(data, "ssh_known_hosts_copy")
    assert parsed.format == "known_hosts"
    contexts = [dict(key.context) for key in keys(parsed).values()]
    assert {"hosts": "git.example.test,10.1.2.3"} in contexts
    assert {"hosts": "[sftp.example.test]:2222"} in contexts
    assert {"hosts": "hashed"} in contexts
    assert {"hosts": "*.example.test", "marker": "@cert-authority"} in contexts
    assert b"secret.example.test" not in repr(contexts).encode()


def test_rfc4716_public_key() -> None:
    key = k.rsa_key(2048)
    [got] = keys(read(ssh.rfc4716_public_key(key, "2048-bit RSA, ops"), "id_rsa.ssh2")).values()
    assert got.public_key is not None and got.public_key.spki_sha256 == spki_sha256(key)
    assert got.comment == "2048-bit RSA, ops"


def test_unknown_ssh_key_types_are_kept_by_name() -> None:
    import base64
    import struct

    blob = b"".join(struct.pack(">I", len(p)) + p for p in (b"ssh-mldsa-65", b"\x01" * 1952))
    line = b"ssh-mldsa-65 " + base64.b64encode(blob) + b" pq@lab\n"
    [got] = keys(read(line, "id_mldsa.pub")).values()
    assert got.public_key is not None
    assert got.public_key.ssh_type == "ssh-mldsa-65"
    assert got.public_key.algorithm_oid is None and got.public_key.spki_sha256 is None
    assert got.public_key.ssh_fingerprint is not None


def test_corrupt_openssh_key_is_an_error(tmp_path: Path) -> None:
    path = broken.openssh_corrupted_base64(tmp_path / "id_x", k.ed25519_key())
    parsed = read(path.read_bytes(), "id_x")
    assert keys(parsed) == {}
    assert [e.kind for e in parsed.errors] == [ErrorKind.MALFORMED]


def test_a_mangled_key_line_is_an_error_and_the_others_count() -> None:
    good = ssh.public_key_line(k.ed25519_key())
    data = f"{good} ok\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI!!broken\n".encode()
    parsed = read(data, "authorized_keys")
    assert list(keys(parsed)) == [":1"]
    assert [(e.suffix, e.kind) for e in parsed.errors] == [(":2", ErrorKind.MALFORMED)]

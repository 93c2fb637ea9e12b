"""OpenSSH fixtures read back by ssh-keygen and cryptography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pqcscan.demo.builders import keys, ssh
from pqcscan.demo.builders.keys import FixtureKey

from .conftest import SSH_KEYGEN, needs_ssh_keygen, run, write

PW = "s3cret-pw"


def keygen(*args: str) -> str:
    assert SSH_KEYGEN is not None
    result = run([SSH_KEYGEN, *args])
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def ed() -> FixtureKey:
    return keys.ed25519_key()


@pytest.mark.filterwarnings("ignore:SSH DSA")
@pytest.mark.parametrize(
    "name", ["Ed25519", "EC-P-256", "EC-P-384", "EC-P-521", "RSA-2048", "DSA-1024"]
)
def test_unencrypted_private_keys_load_in_cryptography(name: str) -> None:
    key = keys.key(name)
    data = ssh.openssh_private_key(key)
    assert data.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    loaded = serialization.load_ssh_private_key(data, None)
    spki = loaded.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki == key.spki_der


@needs_ssh_keygen
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Ed25519", "ED25519"),
        ("EC-P-256", "ECDSA"),
        ("EC-P-384", "ECDSA"),
        ("EC-P-521", "ECDSA"),
        ("RSA-3072", "RSA"),
    ],
)
def test_ssh_keygen_fingerprints_public_and_private_keys(
    tmp_path: Path, name: str, kind: str
) -> None:
    key = keys.key(name)
    line = ssh.public_key_line(key, "ops@example")
    pub = write(tmp_path / "k.pub", (line + "\n").encode())
    priv = write(tmp_path / "k", ssh.openssh_private_key(key))
    priv.chmod(0o600)
    expected = ssh.fingerprint(line)
    assert f"{expected} ops@example ({kind})" in keygen("-l", "-f", str(pub))
    assert expected in keygen("-l", "-f", str(priv))
    assert keygen("-y", "-f", str(priv)).split()[:2] == line.split()[:2]


@needs_ssh_keygen
def test_encrypted_private_key_decrypts_with_ssh_keygen(tmp_path: Path) -> None:
    key = keys.rsa_key(2048)
    data = ssh.openssh_private_key(key, PW)
    assert b"aes256-ctr" not in data  # the cipher name sits inside the base64
    path = write(tmp_path / "id_rsa", data)
    path.chmod(0o600)
    assert (
        keygen("-y", "-P", PW, "-f", str(path)).split()[:2] == ssh.public_key_line(key).split()[:2]
    )
    wrong = run([str(SSH_KEYGEN), "-y", "-P", "wrong", "-f", str(path)])
    assert wrong.returncode != 0
    import base64

    body = base64.b64decode("".join(data.decode().splitlines()[1:-1]))
    assert body.startswith(b"openssh-key-v1\x00")
    assert b"aes256-ctr" in body and b"bcrypt" in body


@needs_ssh_keygen
def test_comment_is_kept(tmp_path: Path, ed: FixtureKey) -> None:
    path = write(tmp_path / "id", ssh.openssh_private_key(ed, comment="ops@jump"))
    path.chmod(0o600)
    assert "ops@jump" in keygen("-l", "-f", str(path))


@needs_ssh_keygen
def test_key_made_by_ssh_keygen_loads_in_cryptography(tmp_path: Path) -> None:
    """Interop the other way: a key written by OpenSSH itself."""
    path = tmp_path / "made_by_openssh"
    keygen("-q", "-t", "ed25519", "-N", "", "-C", "interop", "-f", str(path))
    loaded = serialization.load_ssh_private_key(path.read_bytes(), None)
    line = Path(f"{path}.pub").read_text()
    assert ssh.fingerprint(line) in keygen("-l", "-f", str(path))
    assert loaded.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode() == " ".join(line.split()[:2])


@needs_ssh_keygen
@pytest.mark.parametrize(
    ("builder", "kind"),
    [(ssh.sk_ed25519_public_line, "ED25519-SK"), (ssh.sk_ecdsa_public_line, "ECDSA-SK")],
)
def test_fido_public_keys(tmp_path: Path, builder: object, kind: str) -> None:
    line = builder(comment="yubikey")  # type: ignore[operator]
    assert line.startswith(("sk-ssh-ed25519@openssh.com ", "sk-ecdsa-sha2-nistp256@openssh.com "))
    out = keygen("-l", "-f", str(write(tmp_path / "sk.pub", (line + "\n").encode())))
    assert f"yubikey ({kind})" in out and ssh.fingerprint(line) in out


@needs_ssh_keygen
def test_user_certificate(tmp_path: Path, ed: FixtureKey) -> None:
    ca = keys.ed25519_key()
    line = ssh.user_certificate_line(
        ca, ed, principals=("ops", "deploy"), key_id="ops@bank", serial=7
    )
    assert line.startswith("ssh-ed25519-cert-v01@openssh.com ")
    out = keygen("-L", "-f", str(write(tmp_path / "id-cert.pub", (line + "\n").encode())))
    assert "user certificate" in out and 'Key ID: "ops@bank"' in out and "Serial: 7" in out
    assert re.search(r"Principals:\s+ops\s+deploy", out)
    assert ssh.fingerprint(ssh.public_key_line(ca)) in out  # Signing CA
    assert "permit-pty" in out


@needs_ssh_keygen
def test_authorized_keys(tmp_path: Path, ed: FixtureKey) -> None:
    rsa_key, ca = keys.rsa_key(2048), keys.ed25519_key()
    data = ssh.authorized_keys(
        [
            ssh.AuthorizedKey(
                ssh.public_key_line(rsa_key),
                'from="10.0.0.0/8",command="/bin/backup",no-pty',
                "backup",
            ),
            "",
            "# retired laptop key below",
            ssh.AuthorizedKey(ssh.public_key_line(ed), comment="ops@laptop"),
            ssh.AuthorizedKey(ssh.public_key_line(ca), 'cert-authority,principals="ops"', "ops CA"),
            ssh.sk_ed25519_public_line(comment="fido"),
        ]
    )
    text = data.decode()
    assert text.startswith("# authorized_keys") and "\n\n" in text
    assert 'from="10.0.0.0/8",command="/bin/backup",no-pty ssh-rsa ' in text
    assert 'cert-authority,principals="ops" ssh-ed25519 ' in text
    out = keygen("-l", "-f", str(write(tmp_path / "authorized_keys", data)))
    assert len(out.strip().splitlines()) == 4
    for comment in (
        "backup (RSA)",
        "ops@laptop (ED25519)",
        "ops CA (ED25519)",
        "fido (ED25519-SK)",
    ):
        assert comment in out


@needs_ssh_keygen
def test_known_hosts_plain_hashed_port_and_markers(tmp_path: Path, ed: FixtureKey) -> None:
    ec_key, rsa_key, ca = keys.ec_key("P-256"), keys.rsa_key(2048), keys.ed25519_key()
    data = ssh.known_hosts(
        [
            ssh.KnownHost(["git.example.test", "10.1.2.3"], ssh.public_key_line(ed)),
            ssh.KnownHost(["[bastion.example.test]:2222"], ssh.public_key_line(ec_key)),
            ssh.KnownHost(
                ["secret.example.test", "[secret.example.test]:2022"],
                ssh.public_key_line(rsa_key),
                hashed=True,
            ),
            ssh.KnownHost(["*.example.test"], ssh.public_key_line(ca), marker="@cert-authority"),
            ssh.KnownHost(["old.example.test"], ssh.public_key_line(rsa_key), marker="@revoked"),
        ],
        seed=b"fixed",
    )
    path = write(tmp_path / "known_hosts", data)
    lines = data.decode().splitlines()
    assert lines[0].startswith("git.example.test,10.1.2.3 ssh-ed25519 ")
    assert lines[1].startswith("[bastion.example.test]:2222 ecdsa-sha2-nistp256 ")
    assert lines[2].startswith("|1|") and lines[3].startswith("|1|")
    assert lines[4].startswith("@cert-authority *.example.test ")
    assert lines[5].startswith("@revoked old.example.test ssh-rsa ")
    # ssh-keygen -F hashes the name itself: finding it proves our HMAC-SHA1 hashing
    for host, fp in [
        ("secret.example.test", ssh.public_key_line(rsa_key)),
        ("[secret.example.test]:2022", ssh.public_key_line(rsa_key)),
        ("[bastion.example.test]:2222", ssh.public_key_line(ec_key)),
        ("10.1.2.3", ssh.public_key_line(ed)),
    ]:
        found = keygen("-F", host, "-f", str(path))
        assert fp.split()[1] in found
    assert keygen("-F", "*.example.test", "-f", str(path))  # marker lines are parsed too
    listed = keygen("-l", "-f", str(path))
    assert ssh.fingerprint(ssh.public_key_line(ed)) in listed


@needs_ssh_keygen
def test_rfc4716_public_key_imports(tmp_path: Path) -> None:
    key = keys.rsa_key(2048)
    data = ssh.rfc4716_public_key(key, "2048-bit RSA, converted by ops")
    text = data.decode()
    assert text.startswith('---- BEGIN SSH2 PUBLIC KEY ----\nComment: "2048-bit RSA')
    assert all(len(line) <= 72 for line in text.splitlines())
    out = keygen("-i", "-m", "RFC4716", "-f", str(write(tmp_path / "k.ssh2", data)))
    assert out.split()[:2] == ssh.public_key_line(key).split()[:2]


def test_pqc_keys_have_no_openssh_form() -> None:
    with pytest.raises(ValueError, match="OpenSSH has no"):
        ssh.public_key_line(keys.ml_dsa_key(44))

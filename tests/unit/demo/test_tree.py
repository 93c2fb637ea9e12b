"""The demo tree: the expected files exist and are what they claim to be."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280, rfc5958

from pqcscan.demo.builders import java, keys, oids
from pqcscan.demo.tree import DEMO_PASSWORD, build_demo_tree

from .conftest import SSH_KEYGEN, needs_keytool, needs_ssh_keygen, run, slh_params

PW = DEMO_PASSWORD.encode()

EXPECTED = [
    "README.txt",
    "etc/pki/CA/root-ca.crt.pem",
    "etc/pki/CA/issuing-ca.crt.pem",
    "etc/pki/CA/private/issuing-ca.key.pem",
    "etc/pki/tls/certs/ca-bundle.pem",
    "etc/pki/tls/certs/ca-bundle-windows.pem",
    "etc/pki/tls/certs/chain.p7b",
    "etc/pki/tls/certs/chain.p7c",
    "etc/pki/tls/certs/www.example-bank.test.crt",
    "etc/pki/tls/certs/api.example-bank.test.crt",
    "etc/pki/tls/certs/mtls.example-bank.test.crt",
    "etc/pki/tls/certs/edge.example-bank.test.crt",
    "etc/pki/tls/certs/reports.example-bank.test.der",
    "etc/pki/tls/private/www.example-bank.test.key",
    "etc/pki/tls/private/www.example-bank.test.pub",
    "etc/pki/tls/private/www.example-bank.test.rsa.pub",
    "etc/pki/tls/private/api.example-bank.test.key",
    "etc/pki/tls/private/mtls.example-bank.test.key",
    "etc/pki/tls/private/edge.example-bank.test.key",
    "etc/pki/tls/private/reports.example-bank.test.key",
    "etc/pki/tls/csr/portal.example-bank.test.csr",
    "etc/pki/tls/csr/portal.example-bank.test.key",
    "opt/legacy-app/certs/legacy-batch-rsa1024.crt",
    "opt/legacy-app/private/legacy-batch-rsa1024.key",
    "opt/legacy-app/certs/sftp-sha1.crt",
    "opt/legacy-app/certs/mainframe-bridge-v1.crt",
    "opt/payments-gateway/conf/gateway.yml",
    "opt/payments-gateway/conf/keystore.p12",
    "opt/payments-gateway/conf/legacy-partner.pfx",
    "opt/payments-gateway/conf/truststore.p12",
    "opt/payments-gateway/conf/truststore.jks",
    "opt/payments-gateway/conf/server.jks",
    "opt/payments-gateway/conf/hsm-bridge.jceks",
    "srv/pqc-pilot/ca/mldsa65-root.crt",
    "srv/pqc-pilot/certs/pq-api-mldsa44.crt",
    "srv/pqc-pilot/certs/pq-chain.pem",
    "srv/pqc-pilot/certs/signing-mldsa87-by-rsa-root.crt",
    "srv/pqc-pilot/certs/firmware-slhdsa-sha2-128f.crt",
    "srv/pqc-pilot/certs/hybrid-composite-mldsa65-p256.crt",
    "srv/pqc-pilot/certs/kem-mlkem768.crt",
    "srv/pqc-pilot/private/pq-api-mldsa44.key",
    "srv/pqc-pilot/private/pq-api-mldsa44-expanded.key",
    "srv/pqc-pilot/private/pq-api-mldsa44.p12",
    "srv/pqc-pilot/private/kem-mlkem768.key",
    "srv/pqc-pilot/private/kem-mlkem768-encrypted.key",
    "home/ops/.ssh/id_ed25519",
    "home/ops/.ssh/id_ed25519.pub",
    "home/ops/.ssh/id_ed25519-cert.pub",
    "home/ops/.ssh/id_rsa",
    "home/ops/.ssh/id_rsa.pub",
    "home/ops/.ssh/id_rsa.ssh2.pub",
    "home/ops/.ssh/authorized_keys",
    "home/ops/.ssh/known_hosts",
    "etc/ssh/sshd_config",
    "etc/ssh/ops_user_ca.pub",
    "etc/ssh/ssh_host_ed25519_key",
    "etc/ssh/ssh_host_ed25519_key.pub",
    "etc/ssh/ssh_host_ecdsa_key",
    "etc/ssh/ssh_host_ecdsa_key.pub",
    "etc/ssh/ssh_host_rsa_key",
    "etc/ssh/ssh_host_rsa_key.pub",
    "broken/truncated-cert.der",
    "broken/garbage-body.pem",
    "broken/no-end-marker.pem",
    "broken/bad-length.crt",
    "broken/wrong-password.p12",
    "broken/moved-to-hsm.pem",
    "broken/tampered.jks",
    "broken/id_ed25519.corrupt",
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "files"
    build_demo_tree(folder)
    return folder


def cert(tree: Path, relative: str) -> cx509.Certificate:
    data = (tree / relative).read_bytes()
    if data.startswith(b"-----"):
        return cx509.load_pem_x509_certificate(data)
    return cx509.load_der_x509_certificate(data)


def test_expected_files_and_nothing_hostile(tree: Path) -> None:
    files = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file())
    assert sorted(EXPECTED) == files
    for path in tree.rglob("*"):
        assert not path.is_symlink()
        assert path.stat().st_size < 1024 * 1024
        assert path.stat().st_mode & 0o600 == 0o600


def test_classical_certificates_load_and_chain(tree: Path) -> None:
    root = cert(tree, "etc/pki/CA/root-ca.crt.pem")
    issuing = cert(tree, "etc/pki/CA/issuing-ca.crt.pem")
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    assert root.public_key().key_size == 4096  # type: ignore[union-attr]
    for host in ("www", "api", "mtls", "edge"):
        leaf = cert(tree, f"etc/pki/tls/certs/{host}.example-bank.test.crt")
        leaf.verify_directly_issued_by(issuing)
    cert(tree, "etc/pki/tls/certs/reports.example-bank.test.der").verify_directly_issued_by(issuing)
    assert cert(tree, "opt/legacy-app/certs/legacy-batch-rsa1024.crt").public_key().key_size == 1024  # type: ignore[union-attr]
    sha1 = cert(tree, "opt/legacy-app/certs/sftp-sha1.crt")
    assert sha1.signature_algorithm_oid.dotted_string == oids.SHA1_WITH_RSA
    assert cert(tree, "opt/legacy-app/certs/mainframe-bridge-v1.crt").version is cx509.Version.v1
    bundle = cx509.load_pem_x509_certificates(
        (tree / "etc/pki/tls/certs/ca-bundle.pem").read_bytes()
    )
    assert [c.subject for c in bundle] == [issuing.subject, root.subject]
    assert b"\r\n" in (tree / "etc/pki/tls/certs/ca-bundle-windows.pem").read_bytes()
    assert (
        len(pkcs7.load_pem_pkcs7_certificates((tree / "etc/pki/tls/certs/chain.p7b").read_bytes()))
        == 2
    )
    assert (
        len(pkcs7.load_der_pkcs7_certificates((tree / "etc/pki/tls/certs/chain.p7c").read_bytes()))
        == 2
    )
    request = cx509.load_pem_x509_csr(
        (tree / "etc/pki/tls/csr/portal.example-bank.test.csr").read_bytes()
    )
    assert request.is_signature_valid


def test_private_keys_open_with_the_demo_password(tree: Path) -> None:
    plain = ["www.example-bank.test.key", "api.example-bank.test.key", "edge.example-bank.test.key"]
    for name in plain:
        serialization.load_pem_private_key((tree / "etc/pki/tls/private" / name).read_bytes(), None)
    encrypted = [
        "etc/pki/CA/private/issuing-ca.key.pem",
        "etc/pki/tls/private/mtls.example-bank.test.key",
        "etc/pki/tls/private/reports.example-bank.test.key",
        "etc/pki/tls/csr/portal.example-bank.test.key",
    ]
    for relative in encrypted:
        serialization.load_pem_private_key((tree / relative).read_bytes(), PW)
    assert b"DEK-Info: DES-EDE3-CBC," in (tree / encrypted[2]).read_bytes()


def test_keystores_open_with_the_demo_password(tree: Path) -> None:
    conf = tree / "opt/payments-gateway/conf"
    gateway = pkcs12.load_pkcs12((conf / "keystore.p12").read_bytes(), PW)
    assert gateway.key is not None and len(gateway.additional_certs) == 2
    assert pkcs12.load_pkcs12((conf / "legacy-partner.pfx").read_bytes(), PW).key is not None
    assert len(pkcs12.load_pkcs12((conf / "truststore.p12").read_bytes(), PW).additional_certs) == 2
    for name in ("truststore.jks", "server.jks"):
        assert (conf / name).read_bytes()[:4] == b"\xfe\xed\xfe\xed"
    assert (conf / "hsm-bridge.jceks").read_bytes()[:4] == b"\xce\xce\xce\xce"
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12((tree / "broken/wrong-password.p12").read_bytes(), PW)


@needs_keytool
@pytest.mark.parametrize(
    ("name", "store_type", "entries"),
    [
        ("truststore.jks", "JKS", 2),
        ("server.jks", "JKS", 2),
        ("hsm-bridge.jceks", "JCEKS", 2),
        ("truststore.p12", "PKCS12", 2),
    ],
)
def test_keytool_opens_the_demo_stores(
    tree: Path, name: str, store_type: str, entries: int
) -> None:
    listing = java.keytool_list(
        tree / "opt/payments-gateway/conf" / name, DEMO_PASSWORD, store_type
    )
    assert f"Your keystore contains {entries} entries" in listing


def test_pqc_pilot(tree: Path) -> None:
    pilot = "srv/pqc-pilot"
    root = cert(tree, f"{pilot}/ca/mldsa65-root.crt")
    leaf = cert(tree, f"{pilot}/certs/pq-api-mldsa44.crt")
    root_pk = _spki_bits(root)
    assert root.public_key_algorithm_oid.dotted_string == oids.ML_DSA[65]
    assert ML_DSA_65.verify(root_pk, root.tbs_certificate_bytes, root.signature)
    assert ML_DSA_65.verify(root_pk, leaf.tbs_certificate_bytes, leaf.signature)
    assert leaf.public_key_algorithm_oid.dotted_string == oids.ML_DSA[44]

    rsa_root = cert(tree, "etc/pki/CA/root-ca.crt.pem")
    signing = cert(tree, f"{pilot}/certs/signing-mldsa87-by-rsa-root.crt")
    assert signing.public_key_algorithm_oid.dotted_string == oids.ML_DSA[87]
    signing.verify_directly_issued_by(rsa_root)

    slh = cert(tree, f"{pilot}/certs/firmware-slhdsa-sha2-128f.crt")
    assert slh.public_key_algorithm_oid.dotted_string == oids.SLH_DSA["SHA2-128f"]
    if keys.slh_dsa_available():
        import slhdsa

        assert slh.signature_algorithm_oid.dotted_string == oids.SLH_DSA["SHA2-128f"]
        public = slhdsa.PublicKey.from_digest(_spki_bits(slh), slh_params("sha2_128f"))
        assert public.verify_pure(slh.tbs_certificate_bytes, slh.signature)
    else:
        slh.verify_directly_issued_by(rsa_root)

    composite = cert(tree, f"{pilot}/certs/hybrid-composite-mldsa65-p256.crt")
    assert (
        composite.public_key_algorithm_oid.dotted_string
        == oids.COMPOSITE_ML_DSA["MLDSA65-ECDSA-P256-SHA512"]
    )
    m_prime = keys.composite_message("MLDSA65-ECDSA-P256-SHA512", composite.tbs_certificate_bytes)
    assert ML_DSA_65.verify(
        _spki_bits(composite)[:1952],
        m_prime,
        composite.signature[:3309],
        ctx=b"COMPSIG-MLDSA65-ECDSA-P256-SHA512",
    )

    kem = cert(tree, f"{pilot}/certs/kem-mlkem768.crt")
    assert kem.public_key_algorithm_oid.dotted_string == oids.ML_KEM[768]
    usage = kem.extensions.get_extension_for_class(cx509.KeyUsage).value
    assert usage.key_encipherment and not usage.digital_signature
    assert ML_DSA_65.verify(root_pk, kem.tbs_certificate_bytes, kem.signature)

    seed_key = (tree / f"{pilot}/private/pq-api-mldsa44.key").read_bytes()
    info, _ = decoder.decode(_pem_body(seed_key), asn1Spec=rfc5958.OneAsymmetricKey())
    pk, _ = ML_DSA_44.key_derive(bytes(info["privateKey"])[2:])
    assert pk == _spki_bits(leaf)


def test_pqc_files_are_reproducible(tree: Path, tmp_path: Path) -> None:
    build_demo_tree(tmp_path / "again")
    for relative in ("srv/pqc-pilot/ca/mldsa65-root.crt", "srv/pqc-pilot/certs/kem-mlkem768.crt"):
        assert (tmp_path / "again" / relative).read_bytes() == (tree / relative).read_bytes()


@needs_ssh_keygen
def test_ssh_files(tree: Path) -> None:
    ssh_dir = tree / "home/ops/.ssh"
    for name in ("id_ed25519", "id_ed25519.pub", "authorized_keys", "known_hosts", "id_rsa.pub"):
        result = run([str(SSH_KEYGEN), "-l", "-f", str(ssh_dir / name)])
        assert result.returncode == 0, (name, result.stderr)
    with_password = run([str(SSH_KEYGEN), "-y", "-P", DEMO_PASSWORD, "-f", str(ssh_dir / "id_rsa")])
    assert with_password.returncode == 0
    assert with_password.stdout.split()[1] == (ssh_dir / "id_rsa.pub").read_text().split()[1]
    cert_out = run([str(SSH_KEYGEN), "-L", "-f", str(ssh_dir / "id_ed25519-cert.pub")])
    assert "ssh-ed25519-cert-v01@openssh.com user certificate" in cert_out.stdout
    for name in ("ssh_host_ed25519_key", "ssh_host_ecdsa_key", "ssh_host_rsa_key"):
        assert run([str(SSH_KEYGEN), "-l", "-f", str(tree / "etc/ssh" / name)]).returncode == 0


def test_broken_files_are_broken(tree: Path) -> None:
    with pytest.raises(ValueError):
        cx509.load_der_x509_certificate((tree / "broken/truncated-cert.der").read_bytes())
    for name in ("garbage-body.pem", "no-end-marker.pem"):
        with pytest.raises(ValueError):
            cx509.load_pem_x509_certificate((tree / "broken" / name).read_bytes())
    with pytest.raises(ValueError):
        cx509.load_der_x509_certificate((tree / "broken/bad-length.crt").read_bytes())
    with pytest.raises(ValueError):
        serialization.load_ssh_private_key((tree / "broken/id_ed25519.corrupt").read_bytes(), None)


def _pem_body(data: bytes) -> bytes:
    lines = [line for line in data.decode().splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(lines))


def _spki_bits(certificate: cx509.Certificate) -> bytes:
    tbs, _ = decoder.decode(certificate.tbs_certificate_bytes, asn1Spec=rfc5280.TBSCertificate())
    return bytes(tbs["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets())


def test_demo_tree_without_slhdsa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the test-only slhdsa package the demo still builds: the SLH-DSA key is
    structure-only and the RSA root certifies it."""
    monkeypatch.setitem(sys.modules, "slhdsa", None)  # makes "import slhdsa" fail
    assert not keys.slh_dsa_available()
    build_demo_tree(tmp_path / "files")
    slh = cert(tmp_path / "files", "srv/pqc-pilot/certs/firmware-slhdsa-sha2-128f.crt")
    assert slh.public_key_algorithm_oid.dotted_string == oids.SLH_DSA["SHA2-128f"]
    assert slh.signature_algorithm_oid.dotted_string == oids.SHA384_WITH_RSA
    slh.verify_directly_issued_by(cert(tmp_path / "files", "etc/pki/CA/root-ca.crt.pem"))

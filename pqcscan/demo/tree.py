"""The demo tree: what a bank's crypto team might find on one application server.

``build_demo_tree(folder)`` writes, in a few seconds:

- ``etc/pki/``: an RSA-4096 root CA and a P-384 issuing CA (certificates, encrypted CA key),
  server certificates for RSA-2048, RSA-3072, P-256, P-384 and Ed25519 with their keys in PKCS#1,
  SEC1, PKCS#8, encrypted PKCS#8 and ``DEK-Info`` PEM, a CA bundle with text between blocks, a
  PKCS#7 chain (PEM and DER), a CSR and a DER certificate;
- ``opt/legacy-app/``: an RSA-1024 certificate, a SHA-1-signed certificate, a v1 certificate;
- ``opt/payments-gateway/conf/``: PKCS#12 key stores (AES-256, legacy 3DES), a PKCS#12 trust
  store, JKS trust store, JKS and JCEKS key stores (all with :data:`DEMO_PASSWORD`), a config file;
- ``srv/pqc-pilot/``: an ML-DSA-65 root and ML-DSA-44 leaf (real signatures), an ML-DSA-87 leaf
  issued by the RSA root, an SLH-DSA certificate (real and self-signed when ``slhdsa`` is
  installed, else a structure-only key certified by the RSA root), a composite ML-DSA
  certificate, an ML-KEM-768 certificate (keyEncipherment), ML-DSA/ML-KEM private keys and a
  PKCS#12 holding the ML-DSA key;
- ``home/ops/.ssh/`` and ``etc/ssh/``: OpenSSH user and host keys, an encrypted ``id_rsa``, a
  user certificate, ``authorized_keys``, ``known_hosts`` and an RFC 4716 public key;
- ``broken/``: files a scanner must survive (truncated DER, garbage PEM, wrong-password PKCS#12,
  missing END line, bad ASN.1 length, keystore with a bad digest, corrupt OpenSSH key, a text
  file named ``.pem``);
- a README and a couple of config files with no cryptography in them.

PQC keys come from fixed seeds, names, serials and dates are fixed; classical keys are random
(unless built inside :func:`pqcscan.demo.builders.entropy.deterministic`).
The 2 GiB sparse file, symlink loop and unreadable file are test-only (see ``builders.broken``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization

from pqcscan.demo.builders import broken, containers, java, keyfiles, keys, ssh
from pqcscan.demo.builders.containers import P12Encryption
from pqcscan.demo.builders.keyfiles import PrivateKeyFormat
from pqcscan.demo.builders.keys import FixtureKey, FixtureUnavailable
from pqcscan.demo.builders.x509 import FixtureCert, csr, issue

DEMO_PASSWORD: Final = "changeit"
"""The password of every protected demo file (except those in ``broken/``)."""

_SEED: Final = b"pqcscan-demo"
_ORG: Final = "O=Example Bank plc,C=GB"
_SERVER_EKU: Final = ("serverAuth", "clientAuth")
_LEAF_KU: Final = ("digital_signature", "key_encipherment")
_CA_KU: Final = ("key_cert_sign", "crl_sign", "digital_signature")
_SERVER_DAYS: Final = 3 * 365  # internal PKI: from 1 Jan 2025 to the end of 2027

README: Final = """Example Bank - payments application server (pqcscan demo copy)
================================================================

This tree mimics what a crypto inventory finds on one server: PKI files under etc/pki,
a Java payments gateway with keystores, a legacy application, a post-quantum pilot,
SSH keys, and a few damaged files under broken/. All keys are throw-away test keys.
Password of every keystore and encrypted key: the demo password.
"""

GATEWAY_YML: Final = """# payments-gateway configuration
server:
  port: 8443
  tls:
    keystore: /opt/payments-gateway/conf/keystore.p12
    keystore-type: PKCS12
    truststore: /opt/payments-gateway/conf/truststore.jks
partners:
  - name: acquirer-legacy
    keystore: /opt/payments-gateway/conf/legacy-partner.pfx
retry:
  attempts: 3
  backoff-ms: 250
"""

SSHD_CONFIG: Final = """Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
HostKey /etc/ssh/ssh_host_rsa_key
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256
PasswordAuthentication no
TrustedUserCAKeys /etc/ssh/ops_user_ca.pub
"""


class _Tree:
    """Writes files under a root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, relative: str, data: bytes | str, private: bool = False) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        if private:
            path.chmod(0o600)
        return path


def _jan1(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


def server_certificate(
    key: FixtureKey, host: str, issuer: FixtureCert, **kwargs: object
) -> FixtureCert:
    usage = ("digital_signature",) if key.family is not keys.KeyFamily.RSA else _LEAF_KU
    return issue(
        key,
        f"CN={host},OU=Digital Channels,{_ORG}",
        issuer,
        san=[host],
        ca=False,
        key_usage=usage,
        extended_key_usage=_SERVER_EKU,
        days=_SERVER_DAYS,
        **kwargs,  # type: ignore[arg-type]
    )


def build_demo_tree(folder: Path) -> DemoPki:
    """Write the demo tree (see the module docstring) under ``folder``; return its CA
    hierarchy (the sample inventory re-issues certificates from it)."""
    t = _Tree(folder)
    t.put("README.txt", README)
    t.put("opt/payments-gateway/conf/gateway.yml", GATEWAY_YML)
    t.put("etc/ssh/sshd_config", SSHD_CONFIG)
    pki = _pki(t)
    _legacy(t, pki)
    _gateway(t, pki)
    _pqc(t, pki)
    _ssh(t)
    _broken(t, pki)
    return pki


class DemoPki:
    """The classical CA hierarchy and the server certificates the other sections reuse."""

    def __init__(self) -> None:
        self.root_key = keys.rsa_key(4096)
        self.root = issue(
            self.root_key,
            f"CN=Example Bank Root CA 2025,{_ORG}",
            ca=True,
            path_length=1,
            key_usage=("key_cert_sign", "crl_sign"),
            days=365 * 20,
            hash_name="sha384",
        )
        self.issuing_key = keys.ec_key("P-384")
        self.issuing = issue(
            self.issuing_key,
            f"CN=Example Bank Issuing CA 1,{_ORG}",
            self.root,
            ca=True,
            path_length=0,
            key_usage=_CA_KU,
            days=365 * 8,
            hash_name="sha384",
        )
        self.www_key = keys.rsa_key(2048)
        self.www = server_certificate(self.www_key, "www.example-bank.test", self.issuing)
        self.api_key = keys.ec_key("P-256")
        self.api = server_certificate(self.api_key, "api.example-bank.test", self.issuing)


def _pki(t: _Tree) -> DemoPki:
    p = DemoPki()
    base = "etc/pki"
    t.put(f"{base}/CA/root-ca.crt.pem", p.root.pem)
    t.put(f"{base}/CA/issuing-ca.crt.pem", p.issuing.pem)
    t.put(
        f"{base}/CA/private/issuing-ca.key.pem",
        keyfiles.encrypted_pkcs8_pem(p.issuing_key, DEMO_PASSWORD),
        private=True,
    )
    t.put(f"{base}/tls/certs/ca-bundle.pem", containers.pem_bundle([p.issuing, p.root]))
    t.put(
        f"{base}/tls/certs/ca-bundle-windows.pem",
        containers.pem_bundle([p.issuing, p.root], crlf=True),
    )
    t.put(f"{base}/tls/certs/chain.p7b", containers.pkcs7_certs([p.issuing, p.root]))
    t.put(
        f"{base}/tls/certs/chain.p7c",
        containers.pkcs7_certs([p.issuing, p.root], serialization.Encoding.DER),
    )
    tls = f"{base}/tls"
    t.put(f"{tls}/certs/www.example-bank.test.crt", p.www.pem)
    t.put(
        f"{tls}/private/www.example-bank.test.key",
        keyfiles.private_key_pem(p.www_key, PrivateKeyFormat.PKCS1),
        private=True,
    )
    t.put(f"{tls}/private/www.example-bank.test.pub", keyfiles.public_key_pem(p.www_key))
    t.put(f"{tls}/private/www.example-bank.test.rsa.pub", keyfiles.rsa_public_key_pem(p.www_key))
    t.put(f"{tls}/certs/api.example-bank.test.crt", p.api.pem)
    t.put(
        f"{tls}/private/api.example-bank.test.key",
        keyfiles.private_key_pem(p.api_key, PrivateKeyFormat.SEC1),
        private=True,
    )
    mtls_key = keys.rsa_key(3072)
    t.put(
        f"{tls}/certs/mtls.example-bank.test.crt",
        server_certificate(mtls_key, "mtls.example-bank.test", p.issuing).pem,
    )
    t.put(
        f"{tls}/private/mtls.example-bank.test.key",
        keyfiles.encrypted_pkcs8_pem(mtls_key, DEMO_PASSWORD),
        private=True,
    )
    edge_key = keys.ed25519_key()
    t.put(
        f"{tls}/certs/edge.example-bank.test.crt",
        server_certificate(edge_key, "edge.example-bank.test", p.issuing).pem,
    )
    t.put(
        f"{tls}/private/edge.example-bank.test.key",
        keyfiles.private_key_pem(edge_key),
        private=True,
    )
    reports_key = keys.ec_key("P-384")
    t.put(
        f"{tls}/certs/reports.example-bank.test.der",
        server_certificate(reports_key, "reports.example-bank.test", p.issuing).der,
    )
    t.put(
        f"{tls}/private/reports.example-bank.test.key",
        keyfiles.dek_info_pem(reports_key, DEMO_PASSWORD, "DES-EDE3-CBC"),
        private=True,
    )
    portal_key = keys.rsa_key(2048)
    request = csr(
        portal_key,
        f"CN=portal.example-bank.test,OU=Digital Channels,{_ORG}",
        san=["portal.example-bank.test"],
    )
    t.put(f"{tls}/csr/portal.example-bank.test.csr", request.pem)
    t.put(
        f"{tls}/csr/portal.example-bank.test.key",
        keyfiles.dek_info_pem(portal_key, DEMO_PASSWORD, "AES-128-CBC"),
        private=True,
    )
    return p


def _legacy(t: _Tree, p: DemoPki) -> None:
    legacy_key = keys.rsa_key(1024)
    legacy = issue(
        legacy_key,
        f"CN=legacy-batch.example-bank.test,{_ORG}",
        p.root,
        san=["legacy-batch.example-bank.test"],
        key_usage=_LEAF_KU,
        extended_key_usage=("serverAuth",),
        not_before=_jan1(2019),
        days=365 * 10,
    )
    t.put("opt/legacy-app/certs/legacy-batch-rsa1024.crt", legacy.pem)
    t.put(
        "opt/legacy-app/private/legacy-batch-rsa1024.key",
        keyfiles.private_key_pem(legacy_key, PrivateKeyFormat.PKCS1),
        private=True,
    )
    sha1 = issue(
        keys.rsa_key(2048),
        f"CN=sftp.example-bank.test,{_ORG}",
        p.root,
        san=["sftp.example-bank.test"],
        key_usage=_LEAF_KU,
        hash_name="sha1",
        not_before=_jan1(2016),
        days=365 * 12,
    )
    t.put("opt/legacy-app/certs/sftp-sha1.crt", sha1.pem)
    v1 = issue(
        keys.rsa_key(2048),
        "CN=mainframe-bridge,OU=Batch,O=Example Bank plc",
        version=1,
        hash_name="sha1",
        not_before=_jan1(2012),
        days=365 * 20,
    )
    t.put("opt/legacy-app/certs/mainframe-bridge-v1.crt", v1.pem)


def _gateway(t: _Tree, p: DemoPki) -> None:
    conf = "opt/payments-gateway/conf"
    chain = [p.www, p.issuing, p.root]
    t.put(
        f"{conf}/keystore.p12",
        containers.pkcs12(p.www_key, chain, DEMO_PASSWORD, friendly_name="gateway"),
        private=True,
    )
    t.put(
        f"{conf}/legacy-partner.pfx",
        containers.pkcs12(
            p.api_key,
            [p.api, p.issuing],
            DEMO_PASSWORD,
            P12Encryption.LEGACY_3DES,
            friendly_name="acquirer",
        ),
        private=True,
    )
    t.put(
        f"{conf}/truststore.p12",
        containers.pkcs12(
            None, [p.root, p.issuing], DEMO_PASSWORD, java_trusted=True, friendly_name="bank-ca"
        ),
    )
    trusted = [
        java.TrustedCertEntry("example-bank-root", p.root),
        java.TrustedCertEntry("example-bank-issuing-1", p.issuing),
    ]
    t.put(f"{conf}/truststore.jks", java.jks(trusted, DEMO_PASSWORD, seed=_SEED))
    server_entry = java.PrivateKeyEntry("gateway", p.www_key, chain)
    t.put(
        f"{conf}/server.jks",
        java.jks([server_entry, *trusted[:1]], DEMO_PASSWORD, seed=_SEED),
        private=True,
    )
    hsm_key = keys.rsa_key(2048)
    hsm_cert = server_certificate(hsm_key, "hsm-bridge.example-bank.test", p.issuing)
    t.put(
        f"{conf}/hsm-bridge.jceks",
        java.jceks(
            [
                java.PrivateKeyEntry("hsm-bridge", hsm_key, [hsm_cert, p.issuing, p.root]),
                trusted[0],
            ],
            DEMO_PASSWORD,
            seed=_SEED,
        ),
        private=True,
    )


def _pqc(t: _Tree, p: DemoPki) -> None:
    base = "srv/pqc-pilot"
    org = "OU=PQC Pilot,O=Example Bank plc,C=GB"
    root_key = keys.ml_dsa_key(65, seed=_SEED)
    root = issue(
        root_key,
        f"CN=Example Bank PQC Root (ML-DSA-65),{org}",
        ca=True,
        path_length=0,
        key_usage=("key_cert_sign", "crl_sign", "digital_signature"),
        days=365 * 10,
    )
    leaf_key = keys.ml_dsa_key(44, seed=_SEED)
    leaf = issue(
        leaf_key,
        f"CN=pq-api.example-bank.test,{org}",
        root,
        san=["pq-api.example-bank.test"],
        ca=False,
        key_usage=("digital_signature",),
        extended_key_usage=_SERVER_EKU,
    )
    t.put(f"{base}/ca/mldsa65-root.crt", root.pem)
    t.put(f"{base}/certs/pq-api-mldsa44.crt", leaf.pem)
    t.put(f"{base}/private/pq-api-mldsa44.key", keyfiles.private_key_pem(leaf_key), private=True)
    t.put(
        f"{base}/private/pq-api-mldsa44-expanded.key",
        keyfiles.private_key_pem(leaf_key, form="expanded"),
        private=True,
    )
    t.put(f"{base}/certs/pq-chain.pem", containers.pem_bundle([leaf, root]))
    t.put(
        f"{base}/private/pq-api-mldsa44.p12",
        containers.pkcs12(leaf_key, [leaf, root], DEMO_PASSWORD, friendly_name="pq-api"),
        private=True,
    )

    hybrid_key = keys.ml_dsa_key(87, seed=_SEED)
    t.put(
        f"{base}/certs/signing-mldsa87-by-rsa-root.crt",
        issue(
            hybrid_key,
            f"CN=Document Signing (ML-DSA-87),{org}",
            p.root,
            ca=False,
            key_usage=("digital_signature", "content_commitment"),
            hash_name="sha384",
        ).pem,
    )

    if keys.slh_dsa_available():
        slh_key = keys.slh_dsa_key("SHA2-128f", seed=_SEED)
        slh = issue(
            slh_key,
            f"CN=Firmware Signing Root (SLH-DSA-SHA2-128f),{org}",
            ca=True,
            path_length=0,
            key_usage=("key_cert_sign", "digital_signature"),
            days=365 * 15,
        )
    else:
        slh_key = keys.slh_dsa_structure_only("SHA2-128f", seed=_SEED)
        slh = issue(
            slh_key,
            f"CN=Firmware Signing (SLH-DSA-SHA2-128f),{org}",
            p.root,
            ca=False,
            key_usage=("digital_signature",),
            hash_name="sha384",
        )
    t.put(f"{base}/certs/firmware-slhdsa-sha2-128f.crt", slh.pem)

    composite_key = keys.composite_ml_dsa_key("MLDSA65-ECDSA-P256-SHA512", seed=_SEED)
    t.put(
        f"{base}/certs/hybrid-composite-mldsa65-p256.crt",
        issue(
            composite_key,
            f"CN=hybrid.example-bank.test,{org}",
            ca=False,
            san=["hybrid.example-bank.test"],
            key_usage=("digital_signature",),
            extended_key_usage=_SERVER_EKU,
        ).pem,
    )
    kem_key = keys.ml_kem_key(768, seed=_SEED)
    t.put(
        f"{base}/certs/kem-mlkem768.crt",
        issue(
            kem_key,
            f"CN=key-transport.example-bank.test,{org}",
            root,
            ca=False,
            key_usage=("key_encipherment",),
        ).pem,
    )
    t.put(f"{base}/private/kem-mlkem768.key", keyfiles.private_key_pem(kem_key), private=True)
    t.put(
        f"{base}/private/kem-mlkem768-encrypted.key",
        keyfiles.encrypted_pkcs8_pem(kem_key, DEMO_PASSWORD),
        private=True,
    )


def _ssh(t: _Tree) -> None:
    home = "home/ops/.ssh"
    user = keys.ed25519_key()
    t.put(f"{home}/id_ed25519", ssh.openssh_private_key(user), private=True)
    t.put(f"{home}/id_ed25519.pub", ssh.public_key_line(user, "ops@jump-01") + "\n")
    legacy_user = keys.rsa_key(3072)
    try:
        id_rsa = ssh.openssh_private_key(legacy_user, DEMO_PASSWORD)
    except FixtureUnavailable:  # neither bcrypt nor ssh-keygen: keep an unencrypted key
        id_rsa = ssh.openssh_private_key(legacy_user)
    t.put(f"{home}/id_rsa", id_rsa, private=True)
    t.put(f"{home}/id_rsa.pub", ssh.public_key_line(legacy_user, "ops@old-laptop") + "\n")
    user_ca = keys.ed25519_key()
    t.put(
        f"{home}/id_ed25519-cert.pub",
        ssh.user_certificate_line(
            user_ca, user, principals=("ops", "deploy"), key_id="ops@example-bank"
        )
        + "\n",
    )
    t.put(
        "etc/ssh/ops_user_ca.pub", ssh.public_key_line(user_ca, "Example Bank ops user CA") + "\n"
    )
    t.put(
        f"{home}/id_rsa.ssh2.pub",
        ssh.rfc4716_public_key(legacy_user, "3072-bit RSA, ops@old-laptop"),
    )
    backup = keys.ec_key("P-256")
    t.put(
        f"{home}/authorized_keys",
        ssh.authorized_keys(
            [
                ssh.AuthorizedKey(ssh.public_key_line(user), comment="ops@jump-01"),
                ssh.AuthorizedKey(
                    ssh.public_key_line(backup),
                    options='from="10.0.0.0/8",command="/usr/local/bin/backup-receive",no-pty',
                    comment="backup@nas-02",
                ),
                "",
                "# hardware key of the on-call engineer",
                ssh.sk_ed25519_public_line(comment="oncall@yubikey"),
                ssh.AuthorizedKey(
                    ssh.public_key_line(user_ca),
                    options='cert-authority,principals="ops"',
                    comment="ops user CA",
                ),
            ]
        ),
    )
    hosts = {
        name: keys.key(kind)
        for name, kind in (("ed", "Ed25519"), ("ec", "EC-P-256"), ("rsa", "RSA-2048"))
    }
    files = {"ed": "ssh_host_ed25519_key", "ec": "ssh_host_ecdsa_key", "rsa": "ssh_host_rsa_key"}
    for name, host_key in hosts.items():
        t.put(f"etc/ssh/{files[name]}", ssh.openssh_private_key(host_key), private=True)
        t.put(f"etc/ssh/{files[name]}.pub", ssh.public_key_line(host_key, "root@app-01") + "\n")
    host_ca = keys.ed25519_key()
    t.put(
        f"{home}/known_hosts",
        ssh.known_hosts(
            [
                ssh.KnownHost(
                    ["app-01.example-bank.test", "10.20.0.11"], ssh.public_key_line(hosts["ed"])
                ),
                ssh.KnownHost(
                    ["[bastion.example-bank.test]:2222"], ssh.public_key_line(hosts["ec"])
                ),
                ssh.KnownHost(
                    ["git.example-bank.test"], ssh.public_key_line(hosts["rsa"]), hashed=True
                ),
                ssh.KnownHost(
                    ["*.example-bank.test"], ssh.public_key_line(host_ca), marker="@cert-authority"
                ),
                ssh.KnownHost(
                    ["old-app.example-bank.test"],
                    ssh.public_key_line(legacy_user),
                    marker="@revoked",
                ),
            ],
            seed=_SEED,
        ),
    )


def _broken(t: _Tree, p: DemoPki) -> None:
    base = t.root / "broken"
    broken.truncated_der_certificate(base / "truncated-cert.der", p.www)
    broken.pem_with_garbage_body(base / "garbage-body.pem", seed=_SEED)
    broken.pem_without_end(base / "no-end-marker.pem", p.api)
    broken.bad_asn1_length(base / "bad-length.crt", p.api)
    broken.pkcs12_wrong_password(base / "wrong-password.p12", p.api_key, [p.api, p.issuing])
    broken.text_named_pem(base / "moved-to-hsm.pem")
    keystore = java.jks(
        [java.TrustedCertEntry("example-bank-root", p.root)], DEMO_PASSWORD, seed=_SEED
    )
    broken.keystore_bad_digest(base / "tampered.jks", keystore)
    broken.openssh_corrupted_base64(base / "id_ed25519.corrupt", keys.ed25519_key())

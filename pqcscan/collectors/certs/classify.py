"""Turn parsed certificates, keys and CSRs into classified assets, findings and links.

Algorithms are identified by OID or SSH type name through the catalog, never by a Python
class name, so PQC keys that the installed ``cryptography`` cannot load are classified too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pqcscan.catalog import Catalog, Classification, Primitive, QuantumStatus, get_catalog
from pqcscan.collectors.certs.formats.x509 import parse_certificate
from pqcscan.collectors.certs.parsed import (
    Entry,
    KeyKind,
    ParsedCertificate,
    ParsedCSR,
    ParsedFile,
    ParsedKey,
    ParseFailure,
    PublicKeyInfo,
    SshCertificateInfo,
)
from pqcscan.results import (
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    Details,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
    Usage,
)

COLLECTOR = "certs"
#: OpenSSL's names for three- and two-key Triple DES, which carry the key count in the name.
_TDEA_DEK_NAMES = {"DES-EDE3-CBC": ("3DES", "168"), "DES-EDE-CBC": ("3DES", "112")}


def classify_public_key(catalog: Catalog, pk: PublicKeyInfo) -> Classification:
    """Classify a public key by its OID (PKIX) or SSH key type, with size or curve."""
    parameter = pk.parameter
    if parameter.startswith("oid:"):
        parameter = catalog.curve_name(parameter[4:]) or parameter
    if pk.algorithm_oid is not None:
        return catalog.classify_oid(pk.algorithm_oid, parameter)
    if pk.ssh_type is not None:
        base = catalog.classify_named("ssh-host-key", pk.ssh_type)
        if base.algorithm != "unknown" and parameter and parameter != base.parameter:
            return catalog.classify(base.algorithm, parameter, identifier=base.identifier)
        return base
    return catalog.classify("unknown", parameter, identifier="public-key:unidentified")


def _key_usage(cert: ParsedCertificate, c: Classification) -> Usage:
    if c.primitive in (Primitive.KEM, Primitive.KEY_AGREE):
        return Usage.KEY_EXCHANGE
    if cert.is_ca or "keyCertSign" in cert.key_usage:
        return Usage.SIGNATURE
    ku = set(cert.key_usage)
    if ku and "digitalSignature" not in ku:
        if "keyAgreement" in ku:
            return Usage.KEY_EXCHANGE
        if "keyEncipherment" in ku or "dataEncipherment" in ku:
            return Usage.ENCRYPTION
    return Usage.AUTHENTICATION


class _ItemBuilder:
    """Accumulates the assets, findings and links of one file."""

    def __init__(self, catalog: Catalog, path: Path | str, collector: str = COLLECTOR) -> None:
        self.catalog = catalog
        self.path = str(path)
        self.collector = collector
        self.assets: dict[AssetKey, Asset] = {}
        self.findings: list[Finding] = []
        self.links: list[Link] = []
        self.errors: list[ScanError] = []

    def asset(self, asset: Asset) -> AssetKey:
        key = AssetKey.of(asset)
        self.assets.setdefault(key, asset)
        return key

    def contains(self, container: AssetKey | None, key: AssetKey) -> None:
        if container is not None:
            self.links.append(Link(container, Relation.CONTAINS, key))

    def finding(
        self,
        asset: AssetKey,
        c: Classification,
        usage: Usage,
        location: str,
        method: str,
        detail: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                asset=asset,
                algorithm=c.algorithm,
                parameter=c.parameter,
                usage=usage,
                quantum_status=c.status,
                evidence=Evidence(self.collector, location, method, c.identifier, detail),
                classical_bits=c.classical_bits,
                nist_category=c.nist_category,
            )
        )

    def protection(self, asset: AssetKey, identifiers: tuple[str, ...], location: str) -> None:
        """Findings for the encryption / integrity protecting a key or keystore."""
        for ident in identifiers:
            if ident.startswith("oid:") or ident[:1].isdigit():
                oid = ident.removeprefix("oid:")
                entry = self.catalog.oid(oid)
                c = self.catalog.classify_oid(oid)
                kind = entry.kind if entry is not None else ""
                usage = {"kdf": Usage.KDF, "mac": Usage.MAC, "hash": Usage.HASH}.get(
                    kind, Usage.ENCRYPTION
                )
                self.finding(asset, c, usage, location, "key protection OID")
                if entry is not None and entry.hash:
                    h = self.catalog.classify(entry.hash, identifier=f"oid:{oid}")
                    self.finding(asset, h, Usage.KDF, location, "key protection OID (digest)")
            else:
                # Named protections from OpenSSH / PEM headers / JKS: "openssh-cipher:aes256-ctr"
                namespace, _, name = ident.partition(":")
                named = self._named_protection(namespace, name)
                if named is not None:
                    usage = {"openssh-kdf": Usage.KDF, "jks-integrity": Usage.MAC}.get(
                        namespace, Usage.ENCRYPTION
                    )
                    self.finding(asset, named, usage, location, f"key protection ({namespace})")

    def _named_protection(self, namespace: str, name: str) -> Classification | None:
        cat = self.catalog
        if namespace == "openssh-cipher":
            if name == "none":
                return None
            return cat.classify_named("ssh-cipher", name)
        if namespace == "openssh-kdf":
            if name == "none":
                return None
            return cat.classify(name, identifier=f"openssh-kdf:{name}")
        if namespace == "pem-dek":  # OpenSSL cipher names: AES-128-CBC, DES-EDE3-CBC...
            algorithm, parameter = _TDEA_DEK_NAMES.get(name.upper(), (name, ""))
            return cat.classify(algorithm, parameter, identifier=f"pem-dek:{name}")
        return cat.classify(name or namespace, identifier=f"{namespace}:{name}")

    # -- entries ----------------------------------------------------------------------------

    def certificate(
        self, cert: ParsedCertificate, container: AssetKey | None, location: str
    ) -> None:
        spki = cert.public_key.spki_sha256
        details: Details = (
            ("subject", cert.subject),
            ("issuer", cert.issuer),
            ("serial", cert.serial),
            ("not_before", cert.not_before.isoformat() if cert.not_before else None),
            ("not_after", cert.not_after.isoformat() if cert.not_after else None),
            ("is_ca", cert.is_ca),
            ("key_usage", cert.key_usage),
            ("extended_key_usage", cert.extended_key_usage),
            ("ski", cert.ski),
            ("aki", cert.aki),
            ("spki_sha256", spki),
            ("signature_oid", cert.signature_oid),
            ("version", cert.version),
            ("self_issued", cert.subject == cert.issuer),
        )
        key = self.asset(
            Asset(
                AssetType.CERTIFICATE,
                cert.der_sha256,
                location,
                cert.subject_cn or cert.subject,
                tuple((k, v) for k, v in details if v is not None),
            )
        )
        self.contains(container, key)
        pk = classify_public_key(self.catalog, cert.public_key)
        self.finding(
            key, pk, _key_usage(cert, pk), location, "X.509 SubjectPublicKeyInfo algorithm"
        )
        self._signature(
            key, cert.signature_oid, cert.signature_bits, location, "X.509", cert.signature_hash
        )

    def _signature(
        self,
        key: AssetKey,
        oid: str,
        bits: int | None,
        location: str,
        what: str,
        parameter_hash: str | None = None,
    ) -> None:
        sig = self.catalog.classify_oid(oid, str(bits) if bits else "")
        self.finding(key, sig, Usage.SIGNATURE, location, f"{what} signature algorithm")
        entry = self.catalog.oid(oid)
        digest_name = entry.hash if entry is not None and entry.hash else parameter_hash
        if digest_name:
            digest = self.catalog.classify(digest_name, identifier=f"oid:{oid}")
            self.finding(key, digest, Usage.HASH, location, f"{what} signature digest")

    def csr(self, csr: ParsedCSR, container: AssetKey | None, location: str) -> None:
        key = self.asset(
            Asset(
                AssetType.CSR,
                csr.der_sha256,
                location,
                csr.subject,
                (("subject", csr.subject), ("spki_sha256", csr.public_key.spki_sha256)),
            )
        )
        self.contains(container, key)
        pk = classify_public_key(self.catalog, csr.public_key)
        self.finding(key, pk, Usage.AUTHENTICATION, location, "PKCS#10 SubjectPublicKeyInfo")
        self._signature(key, csr.signature_oid, None, location, "PKCS#10")

    def key(self, parsed: ParsedKey, container: AssetKey | None, location: str) -> None:
        pk = parsed.public_key
        if pk is not None and pk.spki_sha256:
            fingerprint = pk.spki_sha256
        elif pk is not None and pk.ssh_fingerprint:
            fingerprint = pk.ssh_fingerprint
        else:
            # The public part is hidden (encrypted or secret key): identify it by where it is.
            fingerprint = "at:" + hashlib.sha256(location.encode()).hexdigest()
        c = self._key_classification(parsed)
        label = f"{c.algorithm} {c.parameter}".strip() if c.known else "encrypted"
        details: Details = (
            ("kind", parsed.kind.value),
            ("format", parsed.format),
            ("encrypted", parsed.encrypted),
            ("protection", parsed.protection),
            ("ssh_fingerprint", pk.ssh_fingerprint if pk else None),
            ("ssh_type", pk.ssh_type if pk else None),
            ("comment", parsed.comment or None),
            *parsed.context,
        )
        key = self.asset(
            Asset(
                AssetType.KEY,
                fingerprint,
                location,
                f"{label} {parsed.kind.value} key",
                tuple((k, v) for k, v in details if v not in (None, ())),
            )
        )
        self.contains(container, key)
        if c.known:
            self.finding(key, c, _usage_of_key(parsed, c), location, _method_of_key(parsed))
        else:
            hidden = "sealed" if parsed.kind is KeyKind.SECRET else "hidden by encryption"
            self.finding(
                key,
                c,
                Usage.KEY,
                location,
                "encrypted key",
                f"algorithm {hidden}; supply the password to classify it",
            )
        self.protection(key, parsed.protection, location)

    def ssh_certificate(
        self, parsed: ParsedKey, cert: SshCertificateInfo, container: AssetKey | None, location: str
    ) -> None:
        """An OpenSSH certificate: its subject key, and the CA key that signed it."""
        pk = parsed.public_key
        assert pk is not None
        details: Details = (
            ("format", "openssh-certificate"),
            ("ssh_type", pk.ssh_type),
            ("ssh_fingerprint", pk.ssh_fingerprint),
            ("spki_sha256", pk.spki_sha256),
            ("comment", parsed.comment or None),
            *parsed.context,
            *_ssh_certificate_details(cert),
        )
        key = self.asset(
            Asset(
                AssetType.CERTIFICATE,
                "ssh:" + cert.blob_sha256,
                location,
                f"OpenSSH {cert.cert_type} certificate {cert.key_id}".strip(),
                tuple((k, v) for k, v in details if v not in (None, ())),
            )
        )
        self.contains(container, key)
        subject = classify_public_key(self.catalog, pk)
        self.finding(key, subject, Usage.AUTHENTICATION, location, "OpenSSH certificate key")
        ca = cert.signature_key
        ca_class = classify_public_key(self.catalog, ca)
        self.finding(key, ca_class, Usage.SIGNATURE, location, "OpenSSH certificate CA signature")
        ca_key = self.asset(
            Asset(
                AssetType.KEY,
                ca.spki_sha256 or ca.ssh_fingerprint or "ssh-ca:" + cert.blob_sha256,
                location,
                f"{ca_class.algorithm} {ca_class.parameter}".strip() + " OpenSSH CA key",
                tuple(
                    (k, v)
                    for k, v in (
                        ("kind", KeyKind.PUBLIC.value),
                        ("format", "openssh-ca"),
                        ("ssh_type", ca.ssh_type),
                        ("ssh_fingerprint", ca.ssh_fingerprint),
                    )
                    if v is not None
                ),
            )
        )
        self.finding(ca_key, ca_class, Usage.SIGNATURE, location, "OpenSSH certificate CA key")
        self.links.append(Link(key, Relation.ISSUED_BY, ca_key))

    def _key_classification(self, parsed: ParsedKey) -> Classification:
        if parsed.public_key is not None:
            return classify_public_key(self.catalog, parsed.public_key)
        if parsed.secret is not None:
            name, bits = parsed.secret
            return self.catalog.classify(name, bits, identifier=f"java-secret-key:{name}")
        return Classification("unknown", "", QuantumStatus.UNKNOWN)


def _usage_of_key(parsed: ParsedKey, c: Classification) -> Usage:
    if c.primitive in (Primitive.KEM, Primitive.KEY_AGREE):
        return Usage.KEY_EXCHANGE
    if parsed.kind is KeyKind.SECRET:
        return Usage.MAC if c.primitive is Primitive.MAC else Usage.ENCRYPTION
    if parsed.public_key is not None and parsed.public_key.ssh_type:
        return Usage.AUTHENTICATION
    return Usage.KEY


def _method_of_key(parsed: ParsedKey) -> str:
    if parsed.kind is KeyKind.SECRET:
        return "keystore secret-key entry (unsealed)"
    if parsed.public_key is not None and parsed.public_key.algorithm_oid:
        return "key algorithm OID"
    return "SSH key type"


def _ssh_certificate_details(cert: SshCertificateInfo) -> Details:
    return (
        ("ssh_cert_type", cert.cert_type),
        ("ssh_cert_key_id", cert.key_id),
        ("ssh_cert_principals", cert.principals),
        ("not_before", cert.valid_after.isoformat() if cert.valid_after else None),
        ("not_after", cert.valid_before.isoformat() if cert.valid_before else None),
    )


def build_item(path: Path, size: int, parsed: ParsedFile) -> CollectedItem:
    """Map one parsed file to a :class:`CollectedItem`."""
    b = _ItemBuilder(get_catalog(), path)
    container = None
    if _needs_container(parsed):
        file_type = AssetType.KEYSTORE if parsed.keystore else AssetType.FILE
        container = b.asset(
            Asset(
                file_type,
                b.path,
                b.path,
                path.name,
                (("format", parsed.format), ("size", size)),
            )
        )
        if parsed.protection:
            b.protection(container, parsed.protection, b.path)
    for entry in parsed.entries:
        _entry(b, entry, container)
    errors = tuple(ScanError(b.path + e.suffix, e.kind, e.message) for e in parsed.errors)
    return CollectedItem(
        locator=b.path,
        assets=tuple(b.assets.values()),
        findings=tuple(b.findings),
        links=tuple(dict.fromkeys(b.links)),
        errors=errors,
    )


def certificate_chain_item(
    chain: Sequence[bytes], locator: str, collector: str = COLLECTOR
) -> CollectedItem:
    """Certificate assets, findings and links for DER certificates seen together at
    ``locator`` (a TLS endpoint's chain, leaf first).

    The i-th certificate (from 1) is located at ``locator#i``; each is classified exactly as
    the certificate collector classifies a certificate file (same fingerprint: the SHA-256 of
    the DER, so a certificate also found on disk is one asset), with evidence from
    ``collector``. ``issued-by`` links join chain members whose issuer name is another's
    subject (and whose AKI matches that one's SKI when both are present). A DER that does not
    parse becomes a :class:`ScanError` at its position.
    """
    b = _ItemBuilder(get_catalog(), locator, collector)
    parsed: list[tuple[ParsedCertificate, AssetKey]] = []
    errors: list[ScanError] = []
    for i, der in enumerate(chain, start=1):
        location = f"{locator}#{i}"
        try:
            cert = parse_certificate(der)
        except ParseFailure as exc:
            errors.append(ScanError(location, exc.kind, exc.message))
            continue
        b.certificate(cert, None, location)
        parsed.append((cert, AssetKey(AssetType.CERTIFICATE, cert.der_sha256)))
    for cert, key in parsed:
        if cert.subject == cert.issuer and (not cert.aki or not cert.ski or cert.aki == cert.ski):
            continue  # self-issued: no link to itself
        for other, other_key in parsed:
            if other_key == key or other.subject != cert.issuer:
                continue
            if cert.aki and other.ski and cert.aki != other.ski:
                continue
            b.links.append(Link(key, Relation.ISSUED_BY, other_key))
            break
    return CollectedItem(
        locator=locator,
        assets=tuple(b.assets.values()),
        findings=tuple(b.findings),
        links=tuple(dict.fromkeys(b.links)),
        errors=tuple(errors),
    )


def _needs_container(parsed: ParsedFile) -> bool:
    """A file is an asset of its own when it is more than the one object it holds.

    Keystores, bundles and files holding a private or secret key are assets (the file is
    where the key lives and what a migration changes); a file holding one certificate,
    public key or CSR is represented by that object, whose locator is the file's path.
    """
    if parsed.keystore or len(parsed.entries) > 1:
        return True
    return any(
        isinstance(e.obj, ParsedKey) and e.obj.kind is not KeyKind.PUBLIC for e in parsed.entries
    )


def _entry(b: _ItemBuilder, entry: Entry, container: AssetKey | None) -> None:
    location = b.path + entry.suffix
    obj = entry.obj
    if isinstance(obj, ParsedCertificate):
        b.certificate(obj, container, location)
    elif isinstance(obj, ParsedKey) and obj.ssh_certificate is not None:
        b.ssh_certificate(obj, obj.ssh_certificate, container, location)
    elif isinstance(obj, ParsedKey):
        b.key(obj, container, location)
    else:
        b.csr(obj, container, location)


@dataclass(frozen=True, slots=True)
class KeyResults:
    """A public key (or OpenSSH certificate) met outside a file, as inventory results.

    ``primary`` is the asset a presenter links to: the key asset, or the certificate asset
    for an OpenSSH certificate (whose CA key is among ``assets``, linked ``issued-by``).
    """

    primary: AssetKey
    assets: tuple[Asset, ...]
    findings: tuple[Finding, ...]
    links: tuple[Link, ...]


def key_results(
    parsed: ParsedKey, location: str, collector: str = COLLECTOR, method: str | None = None
) -> KeyResults:
    """The assets, findings and links of one public key seen at ``location``.

    For collectors that meet keys elsewhere than in files (an SSH server's host key on the
    wire): the key asset is built exactly as for a file, so the same key in ``known_hosts``,
    ``ssh_host_ed25519_key.pub`` and on the wire is one asset (same fingerprint rule).
    ``collector`` goes into every finding's evidence, ``method`` (when given) into those of
    the primary asset.
    """
    b = _ItemBuilder(get_catalog(), Path(location))
    if parsed.ssh_certificate is not None:
        b.ssh_certificate(parsed, parsed.ssh_certificate, None, location)
    else:
        b.key(parsed, None, location)
    primary = next(iter(b.assets))
    findings = tuple(
        replace(
            f,
            evidence=replace(
                f.evidence,
                collector=collector,
                method=method if method and f.asset == primary else f.evidence.method,
            ),
        )
        for f in b.findings
    )
    return KeyResults(primary, tuple(b.assets.values()), findings, tuple(b.links))

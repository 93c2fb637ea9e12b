"""CycloneDX CBOM (1.6, or 1.7 on request) of the inventory, built with cyclonedx-python-lib.

What goes in (``to_cbom(snapshot, items)``, a pure function):

- every classified algorithm (one per algorithm and parameter) as a ``cryptographic-asset``
  component (``assetType: algorithm``) with its catalog OID, primitive, parameter set or curve,
  crypto functions, classical bits and NIST quantum level (0 for Shor-vulnerable), and the code
  and configuration hits as ``evidence.occurrences`` (file and line);
- certificates (``cert:<sha256>``), keys (``related-crypto-material``, ``key:<fingerprint>``),
  protocols (one per TLS/SSH endpoint and version, with cipher suites and their algorithm refs);
- packages as ``library`` components (purl) ``provides``-ing the algorithms they implement;
- endpoints as ``services`` depending on their protocols and certificates;
- the newest ranking's score, wave, rule and Mosca gap as ``pqcscan:risk:*`` properties.

The library models CycloneDX 1.6 crypto fields only and has no ``provides``. One documented
post-serialisation step (:func:`_post_process`) adds what it lacks: ``dependencies[].provides``,
the 1.7 ``tlsGroups`` / ``tlsSignatureSchemes`` of cipher suites, the content-derived
``serialNumber`` (UUIDv5) and the timestamp (none unless asked). Output is deterministic:
content-derived bom-refs, sorted components, no clock unless ``timestamp`` is given.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cyclonedx.model import Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.bom_ref import BomRef
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.crypto import (
    AlgorithmProperties,
    CertificateProperties,
    CryptoAssetType,
    CryptoCertificationLevel,
    CryptoFunction,
    CryptoPrimitive,
    CryptoProperties,
    ProtocolProperties,
    ProtocolPropertiesCipherSuite,
    ProtocolPropertiesType,
    RelatedCryptoMaterialProperties,
    RelatedCryptoMaterialType,
)
from cyclonedx.model.service import Service
from cyclonedx.output.json import JsonV1Dot6, JsonV1Dot7
from cyclonedx.schema import SchemaVersion
from cyclonedx.schema.schema import SCHEMA_VERSIONS
from packageurl import PackageURL

from pqcscan import __version__
from pqcscan.catalog import Catalog, QuantumStatus, get_catalog
from pqcscan.exporters.sarif import code_files
from pqcscan.inventory.snapshot import AssetView, FindingView, Snapshot
from pqcscan.risk.model import RankedItem

SPECS = ("1.6", "1.7")
PROPERTY_PREFIX = "pqcscan:"
#: Namespace of the content-derived serial numbers (UUIDv5 of the document's content hash).
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/pqcscan/pqcscan/cbom")
_SHOR = frozenset({QuantumStatus.QUANTUM_VULNERABLE.value, QuantumStatus.CLASSICALLY_BROKEN.value})
#: Catalog OID kinds that name an algorithm whatever its mode (cipher OIDs imply a mode).
_OID_KINDS = ("public-key", "kem", "signature", "hash", "mac", "kdf")
_FUNCTIONS: dict[str, tuple[CryptoFunction, ...]] = {
    "signature": (CryptoFunction.SIGN, CryptoFunction.VERIFY),
    "kem": (CryptoFunction.ENCAPSULATE, CryptoFunction.DECAPSULATE),
    "key-agree": (CryptoFunction.KEYGEN, CryptoFunction.KEYDERIVE),
    "pke": (CryptoFunction.ENCRYPT, CryptoFunction.DECRYPT),
    "block-cipher": (CryptoFunction.ENCRYPT, CryptoFunction.DECRYPT),
    "stream-cipher": (CryptoFunction.ENCRYPT, CryptoFunction.DECRYPT),
    "ae": (CryptoFunction.ENCRYPT, CryptoFunction.DECRYPT),
    "hash": (CryptoFunction.DIGEST,),
    "xof": (CryptoFunction.DIGEST,),
    "mac": (CryptoFunction.TAG,),
    "kdf": (CryptoFunction.KEYDERIVE,),
    "drbg": (CryptoFunction.GENERATE,),
}
_CURVE_FAMILIES = frozenset({"ECDSA", "ECDH", "EC", "ECC", "SM2", "ECMQV"})
_KEY_TYPES = {
    "private": RelatedCryptoMaterialType.PRIVATE_KEY,
    "public": RelatedCryptoMaterialType.PUBLIC_KEY,
    "secret": RelatedCryptoMaterialType.SECRET_KEY,
}
_CAPABILITY = re.compile(
    r"^(?P<kind>tls-suite|tls-group|tls-signature-scheme):(?P<code>0x[0-9a-fA-F]{4}) "
    r"(?P<name>\S+)(?: \[TLS (?P<version>[0-9.]+)\])?$"
)


class CbomError(ValueError):
    """An unusable export request (unknown spec version)."""


@dataclass(frozen=True, slots=True)
class _Suite:
    name: str
    code: str
    algorithms: tuple[str, ...]  # bom-refs


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.+_-]+", "-", text.lower()).strip("-") or "x"


def algorithm_name(algorithm: str, parameter: str) -> str:
    """``RSA-2048``, ``ECDSA-P-256``, ``AES-256``, ``ML-KEM-768``: the component name."""
    return f"{algorithm}-{parameter}" if parameter else algorithm


def catalog_oid(catalog: Catalog, algorithm: str, parameter: str) -> str | None:
    """A catalog OID that classifies back to exactly this algorithm and parameter, or None."""
    candidates = sorted(
        (
            (_OID_KINDS.index(e.kind), e.parameter != parameter, oid)
            for oid, e in catalog.oids.items()
            if e.algorithm == algorithm and e.kind in _OID_KINDS
        ),
    )
    for _, _, oid in candidates:
        c = catalog.classify_oid(oid, parameter)
        if c.algorithm == algorithm and c.parameter == parameter:
            return oid
    return None


def algorithm_ref(catalog: Catalog, algorithm: str, parameter: str) -> str:
    """``crypto/algorithm/rsa-2048@1.2.840.113549.1.1.1`` (the OID when the catalog has one)."""
    oid = catalog_oid(catalog, algorithm, parameter)
    base = f"crypto/algorithm/{_slug(algorithm_name(algorithm, parameter))}"
    return f"{base}@{oid}" if oid else base


def _prop(name: str, value: object) -> Property:
    return Property(name=PROPERTY_PREFIX + name, value=str(value))


def _suite_bytes(code: str) -> list[str]:
    """``0xc02f`` -> ``["0xC0", "0x2F"]`` (the two bytes of the IANA code point)."""
    return [f"0x{code[2:4].upper()}", f"0x{code[4:6].upper()}"]


def _ref(value: str | None) -> BomRef | None:
    return BomRef(value) if value else None


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class _Builder:
    """Collects components, services and dependencies from one snapshot."""

    def __init__(self, snapshot: Snapshot, items: Sequence[RankedItem]) -> None:
        self.snapshot = snapshot
        self.items = items
        self.catalog = get_catalog()
        self.assets = {a.id: a for a in snapshot.assets}
        self.findings: dict[int, list[FindingView]] = defaultdict(list)
        for f in snapshot.findings:
            self.findings[f.asset_id].append(f)
        self.algorithms: dict[tuple[str, str], FindingView] = {}
        self.occurrences: dict[str, set[tuple[str, int, str]]] = defaultdict(set)
        self.components: dict[str, Component] = {}
        self.services: dict[str, Service] = {}
        self.depends: dict[str, set[str]] = defaultdict(set)
        self.provides: dict[str, set[str]] = defaultdict(set)
        #: protocol ref -> suites with their 1.7 groups and signature schemes
        self.tls_extras: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.asset_refs: dict[int, str] = {}
        #: certificate ref -> (serial number, SHA-256 fingerprint) for the 1.7 fields
        self.cert_extras: dict[str, tuple[str | None, str | None]] = {}
        #: protocol ref -> suite name -> IANA code ("0x1302"), for the identifiers' order
        self.suite_codes: dict[str, dict[str, str]] = {}
        self.unknown = 0
        self._oids: dict[tuple[str, str], str | None] = {}
        self.presents: dict[int, list[int]] = defaultdict(list)
        for link in snapshot.links:
            if link.relation == "presents":
                self.presents[link.source_id].append(link.target_id)

    # -- algorithms ------------------------------------------------------------------------

    def oid(self, algorithm: str, parameter: str) -> str | None:
        key = (algorithm, parameter)
        if key not in self._oids:
            self._oids[key] = catalog_oid(self.catalog, algorithm, parameter)
        return self._oids[key]

    def algorithm_ref(self, algorithm: str, parameter: str) -> str:
        oid = self.oid(algorithm, parameter)
        base = f"crypto/algorithm/{_slug(algorithm_name(algorithm, parameter))}"
        return f"{base}@{oid}" if oid else base

    def ref(self, f: FindingView) -> str | None:
        """The algorithm component of a finding (created on first use); None if unknown."""
        if f.algorithm == "unknown" or self.catalog.algorithm(f.algorithm) is None:
            return None  # not a catalog algorithm: counted in pqcscan:unknown-findings
        key = (f.algorithm, f.parameter)
        if key not in self.algorithms:
            self.algorithms[key] = f
        return self.algorithm_ref(f.algorithm, f.parameter)

    def _algorithm_component(self, f: FindingView) -> Component:
        c = self.catalog.classify(f.algorithm, f.parameter)
        primitive = c.primitive.value if c.primitive is not None else "unknown"
        family = c.family or f.algorithm
        curve = None
        parameter_set = None
        if f.parameter:
            if family in _CURVE_FAMILIES and not f.parameter.isdigit():
                curve = f.parameter
            else:
                parameter_set = f.parameter
        if f.quantum_status in _SHOR:
            level: int | None = 0
        else:
            level = c.nist_category if c.nist_category is not None else f.nist_category
        bits = c.classical_bits if c.classical_bits is not None else f.classical_bits
        ref = self.algorithm_ref(f.algorithm, f.parameter)
        occurrences = [
            Occurrence(location=location, line=line or None, additional_context=context or None)
            for location, line, context in sorted(self.occurrences.get(ref, ()))
        ]
        return Component(
            type=ComponentType.CRYPTOGRAPHIC_ASSET,
            name=algorithm_name(f.algorithm, f.parameter),
            bom_ref=ref,
            crypto_properties=CryptoProperties(
                asset_type=CryptoAssetType.ALGORITHM,
                algorithm_properties=AlgorithmProperties(
                    primitive=CryptoPrimitive(primitive),
                    parameter_set_identifier=parameter_set,
                    curve=curve,
                    certification_levels=[CryptoCertificationLevel.NONE],
                    crypto_functions=_FUNCTIONS.get(primitive, (CryptoFunction.UNKNOWN,)),
                    classical_security_level=bits,
                    nist_quantum_security_level=level,
                ),
                oid=self.oid(f.algorithm, f.parameter),
            ),
            evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
            properties=[
                _prop("quantum-status", c.status.value if c.known else f.quantum_status),
                *([_prop("family", c.family)] if c.family else []),
            ],
        )

    def finding_refs(self, asset_id: int, skip_protection: bool = False) -> list[str]:
        refs = []
        for f in self.findings.get(asset_id, ()):
            if skip_protection and f.method.startswith("key protection"):
                continue
            ref = self.ref(f)
            if ref is not None:
                refs.append(ref)
        return sorted(set(refs))

    # -- assets ----------------------------------------------------------------------------

    def add_all(self) -> None:
        for f in self.snapshot.findings:
            if self.ref(f) is None:
                self.unknown += 1
        for a in self.snapshot.assets:
            handler = {
                "certificate": self._certificate,
                "key": self._key,
                "package": self._package,
                "endpoint": self._endpoint,
            }.get(a.type)
            if handler is not None:
                handler(a)
        for file in code_files((a.type, a.locator, a.details) for a in self.snapshot.assets):
            for hit in file.hits:
                c = self.catalog.classify(
                    str(hit.get("algorithm", "")), str(hit.get("parameter", ""))
                )
                if not c.known or c.algorithm == "unknown":
                    continue
                ref = self.algorithm_ref(c.algorithm, c.parameter)
                if (c.algorithm, c.parameter) not in self.algorithms:
                    continue  # a hit whose finding was not stored (over the per-file cap)
                line = hit.get("line")
                self.occurrences[ref].add(
                    (
                        file.locator,
                        int(line) if isinstance(line, int) else 0,
                        str(hit.get("snippet", "")),
                    )
                )
        for f in self.algorithms.values():
            comp = self._algorithm_component(f)
            self.components[str(comp.bom_ref.value)] = comp

    def _public_key_ref(self, spki: str | None) -> str | None:
        return f"key:{spki}" if spki else None

    def _certificate(self, a: AssetView) -> None:
        d = a.details
        ref = f"cert:{a.fingerprint}"
        self.asset_refs[a.id] = ref
        signature = spki = None
        for f in self.findings.get(a.id, ()):
            r = self.ref(f)
            if r is None:
                continue
            if "signature algorithm" in f.method and signature is None:
                signature = r
            elif "SubjectPublicKeyInfo" in f.method and spki is None:
                spki = r
        if spki is None and d.get("self_issued"):
            spki = signature  # one finding: the key signs its own certificate
        key_ref = self._public_key_ref(str(d.get("spki_sha256") or "") or None)
        if key_ref is not None and key_ref not in self.components and spki is not None:
            self.components[key_ref] = self._key_component(
                key_ref, f"public key of {a.name or a.fingerprint[:16]}", "public", spki, None
            )
        elif key_ref is not None and key_ref not in self.components:
            key_ref = None
        self.components[ref] = Component(
            type=ComponentType.CRYPTOGRAPHIC_ASSET,
            name=a.name or str(d.get("subject") or a.fingerprint[:16]),
            bom_ref=ref,
            crypto_properties=CryptoProperties(
                asset_type=CryptoAssetType.CERTIFICATE,
                certificate_properties=CertificateProperties(
                    subject_name=str(d["subject"]) if d.get("subject") else None,
                    issuer_name=str(d["issuer"]) if d.get("issuer") else None,
                    not_valid_before=_datetime(d.get("not_before")),
                    not_valid_after=_datetime(d.get("not_after")),
                    signature_algorithm_ref=_ref(signature),
                    subject_public_key_ref=_ref(key_ref),
                    certificate_format="X.509",
                ),
            ),
            properties=[
                _prop("fingerprint-sha256", a.fingerprint),
                *([_prop("serial", d["serial"])] if d.get("serial") else []),
                *([_prop("locator", a.locator)]),
            ],
        )
        sha256 = a.fingerprint if re.fullmatch(r"[0-9a-f]{64}", a.fingerprint) else None
        self.cert_extras[ref] = (str(d["serial"]) if d.get("serial") else None, sha256)
        deps = {r for r in (signature, key_ref) if r}
        self.depends[ref].update(deps)

    def _key_component(
        self, ref: str, name: str, kind: str, algorithm: str | None, size: int | None
    ) -> Component:
        return Component(
            type=ComponentType.CRYPTOGRAPHIC_ASSET,
            name=name,
            bom_ref=ref,
            crypto_properties=CryptoProperties(
                asset_type=CryptoAssetType.RELATED_CRYPTO_MATERIAL,
                related_crypto_material_properties=RelatedCryptoMaterialProperties(
                    type=_KEY_TYPES.get(kind, RelatedCryptoMaterialType.KEY),
                    algorithm_ref=_ref(algorithm),
                    size=size,
                ),
            ),
        )

    def _key(self, a: AssetView) -> None:
        ref = f"key:{a.fingerprint}"
        self.asset_refs[a.id] = ref
        main = [f for f in self.findings.get(a.id, ()) if not f.method.startswith("key protect")]
        algorithm = next((r for f in main if (r := self.ref(f)) is not None), None)
        size = next((int(f.parameter) for f in main if f.parameter.isdigit()), None)
        comp = self._key_component(
            ref, a.name or a.fingerprint[:16], str(a.details.get("kind", "")), algorithm, size
        )
        comp.properties.add(_prop("locator", a.locator))
        self.components[ref] = comp
        self.depends[ref].update(self.finding_refs(a.id))

    def _package(self, a: AssetView) -> None:
        d = a.details
        try:
            purl: PackageURL | None = PackageURL.from_string(a.fingerprint)
        except ValueError:
            purl = None
        ref = a.fingerprint
        self.asset_refs[a.id] = ref
        props = []
        for key in ("crypto_library", "pqc_capable", "pqc_since", "declared_in"):
            if d.get(key) is not None:
                props.append(_prop(key.replace("_", "-"), d[key]))
        name = str(d.get("package") or (purl.name if purl else a.name) or a.fingerprint)
        self.components[ref] = Component(
            type=ComponentType.LIBRARY,
            name=name,
            version=str(d["version"]) if d.get("version") else None,
            purl=purl,
            bom_ref=ref,
            properties=props,
        )
        self.provides[ref].update(self.finding_refs(a.id))

    def _endpoint(self, a: AssetView) -> None:
        d = a.details
        protocol = str(d.get("protocol", ""))
        ref = f"service:{a.fingerprint}"
        self.asset_refs[a.id] = ref
        host_port = a.locator
        scheme = {"tls": "https", "ssh": "ssh"}.get(protocol, "tcp")
        if protocol == "tls" and d.get("starttls"):
            scheme = str(d["starttls"])
        self.services[ref] = Service(
            name=a.locator,
            bom_ref=ref,
            endpoints=[XsUri(f"{scheme}://{host_port}/")],
            properties=[_prop("endpoint", a.fingerprint), _prop("protocol", protocol or "?")],
        )
        for target_id in self.presents.get(a.id, ()):
            target = self.assets.get(target_id)
            if target is not None and target.type in ("certificate", "key"):
                prefix = "cert" if target.type == "certificate" else "key"
                self.depends[ref].add(f"{prefix}:{target.fingerprint}")
        if protocol == "tls":
            self._tls(a, ref)
        elif protocol == "ssh":
            self._ssh(a, ref)

    def _tls(self, a: AssetView, service_ref: str) -> None:
        caps = a.details.get("capabilities")
        caps = caps if isinstance(caps, Mapping) else {}
        own = [f for f in self.findings.get(a.id, ()) if f.algorithm != "unknown"]
        suites: dict[str, list[_Suite]] = defaultdict(list)
        groups: dict[str, list[str]] = defaultdict(list)
        schemes: dict[str, list[str]] = defaultdict(list)
        for key, value in caps.items():
            m = _CAPABILITY.match(str(key))
            if m is None or not str(value).startswith("supported"):
                continue
            version = m.group("version") or "1.3"
            if m.group("kind") == "tls-suite":
                code = m.group("code").lower()
                refs = self._suite_refs(int(code, 16), own)
                suites[version].append(_Suite(m.group("name"), code, refs))
            elif m.group("kind") == "tls-group":
                groups[version].append(m.group("name"))
            else:
                schemes[version].append(m.group("name"))
        versions = [
            str(v).removeprefix("TLS ")
            for v in (a.details.get("versions") or ())
            if str(v).startswith("TLS ")
        ]
        for version in sorted(set(versions) | set(suites)):
            ref = f"crypto/protocol/tls-{version}@{a.fingerprint}"
            cipher_suites = [
                ProtocolPropertiesCipherSuite(
                    name=s.name,
                    algorithms=[BomRef(r) for r in s.algorithms],
                    identifiers=_suite_bytes(s.code),
                )
                for s in sorted(suites.get(version, []), key=lambda s: s.code)
            ]
            suite_refs = sorted({r for s in suites.get(version, []) for r in s.algorithms})
            self.components[ref] = Component(
                type=ComponentType.CRYPTOGRAPHIC_ASSET,
                name=f"TLS {version} at {a.locator}",
                bom_ref=ref,
                crypto_properties=CryptoProperties(
                    asset_type=CryptoAssetType.PROTOCOL,
                    protocol_properties=ProtocolProperties(
                        type=ProtocolPropertiesType.TLS,
                        version=version,
                        cipher_suites=cipher_suites,
                    ),
                    oid=None,
                ),
                properties=[
                    *(_prop("tls-group", g) for g in sorted(set(groups.get(version, [])))),
                    *(
                        _prop("tls-signature-scheme", s)
                        for s in sorted(set(schemes.get(version, [])))
                    ),
                ],
            )
            self.suite_codes[ref] = {s.name: s.code for s in suites.get(version, [])}
            self.tls_extras[ref] = (
                tuple(dict.fromkeys(groups.get(version, []))),
                tuple(dict.fromkeys(schemes.get(version, []))),
            )
            self.depends[service_ref].add(ref)
            self.depends[ref].update(suite_refs)
            # groups and schemes are algorithms too: the protocol depends on them
            for f in self.findings.get(a.id, ()):
                ident = (f.identifier or "").lower()
                if ident.startswith(("tls-group:", "tls-signature-scheme:")):
                    r = self.ref(f)
                    if r is not None:
                        self.depends[ref].add(r)

    def _suite_refs(self, code: int, own: Sequence[FindingView]) -> tuple[str, ...]:
        """The algorithm refs of a suite's parts, as the endpoint's own findings name them
        (the RSA key size comes from the certificate, not from the suite)."""
        parts = self.catalog.classify_suite(code) or ()
        refs: set[str] = set()
        for _, c in parts:
            matches = [f for f in own if f.algorithm == c.algorithm]
            exact = [f for f in matches if f.parameter == c.parameter]
            for f in exact or matches:
                r = self.ref(f)
                if r is not None:
                    refs.add(r)
        return tuple(sorted(refs))

    def _ssh(self, a: AssetView, service_ref: str) -> None:
        version = str(a.details.get("ssh_version") or "2.0")
        ref = f"crypto/protocol/ssh-{version}@{a.fingerprint}"
        refs = sorted(
            {
                r
                for f in self.findings.get(a.id, ())
                if f.usage != "protocol" and (r := self.ref(f)) is not None
            }
        )
        self.components[ref] = Component(
            type=ComponentType.CRYPTOGRAPHIC_ASSET,
            name=f"SSH {version} at {a.locator}",
            bom_ref=ref,
            crypto_properties=CryptoProperties(
                asset_type=CryptoAssetType.PROTOCOL,
                protocol_properties=ProtocolProperties(
                    type=ProtocolPropertiesType.SSH,
                    version=version,
                    crypto_refs=[BomRef(r) for r in refs],
                ),
            ),
        )
        self.depends[service_ref].add(ref)
        self.depends[ref].update(refs)

    # -- risk ------------------------------------------------------------------------------

    def add_risk(self) -> None:
        """The worst-scored ranked item of each component, as ``pqcscan:risk:*`` properties."""
        best: dict[str, RankedItem] = {}
        counts: dict[str, int] = defaultdict(int)
        for item in self.items:
            ref = self.asset_refs.get(item.asset_id)
            targets = [ref] if ref is not None else []
            if not targets:
                targets = sorted(
                    {
                        r
                        for f in self.findings.get(item.asset_id, ())
                        if f.usage == item.usage and (r := self.ref(f)) is not None
                    }
                )
            for target in targets:
                counts[target] += 1
                current = best.get(target)
                if current is None or (item.score, item.key) > (current.score, current.key):
                    best[target] = item
        for target, item in best.items():
            props = [
                _prop("risk:score", f"{item.score:.1f}"),
                _prop("risk:wave", item.wave.value),
                _prop("risk:rule", item.wave_rule),
                _prop("risk:mosca-gap", f"{item.mosca.gap:.2f}"),
                _prop("risk:item", item.key),
                _prop("risk:items", counts[target]),
            ]
            holder: Component | Service | None = self.components.get(target) or self.services.get(
                target
            )
            if holder is not None:
                for p in props:
                    holder.properties.add(p)


def _content_hash(snapshot: Snapshot, items: Sequence[RankedItem]) -> str:
    """SHA-256 over the inventory content the CBOM is built from (ids left out)."""
    h = hashlib.sha256()
    ids = {a.id: (a.type, a.fingerprint) for a in snapshot.assets}
    for a in sorted(snapshot.assets, key=lambda a: (a.type, a.fingerprint)):
        h.update(json.dumps([a.type, a.fingerprint, a.name], ensure_ascii=False).encode())
    for f in sorted(
        (ids.get(f.asset_id), f.algorithm, f.parameter, f.usage, f.quantum_status)
        for f in snapshot.findings
    ):
        h.update(json.dumps(f, ensure_ascii=False).encode())
    for item in items:
        h.update(json.dumps([item.key, item.score, item.wave.value]).encode())
    return h.hexdigest()


def to_cbom(
    snapshot: Snapshot,
    items: Sequence[RankedItem] = (),
    spec: str = "1.6",
    timestamp: datetime | None = None,
) -> str:
    """The CycloneDX CBOM of an inventory snapshot (and its ranking) as JSON text."""
    if spec not in SPECS:
        raise CbomError(f"unsupported CycloneDX version {spec!r} (one of {', '.join(SPECS)})")
    b = _Builder(snapshot, items)
    b.add_all()
    b.add_risk()
    bom = Bom(
        metadata=BomMetaData(
            component=Component(
                type=ComponentType.APPLICATION,
                name="pqcscan inventory",
                bom_ref="pqcscan:inventory",
            ),
            supplier=None,
            properties=[
                _prop("tool", f"pqcscan {__version__}"),
                _prop("unknown-findings", b.unknown),
                _prop("assets", len(snapshot.assets)),
                _prop("findings", len(snapshot.findings)),
            ],
        ),
    )
    known = set(b.components) | set(b.services)
    dependencies: list[dict[str, Any]] = [
        {
            "ref": "pqcscan:inventory",
            "dependsOn": [
                ref
                for ref in sorted(known)
                if ref.startswith(("service:", "cert:", "key:")) or ref in b.provides
            ],
        }
    ]
    for ref in sorted(known):
        targets = sorted(t for t in b.depends.get(ref, ()) if t in known and t != ref)
        dependencies.append({"ref": ref, "dependsOn": targets} if targets else {"ref": ref})
    outputter = JsonV1Dot7(bom) if spec == "1.7" else JsonV1Dot6(bom)
    view = SCHEMA_VERSIONS[schema_version(spec)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "dependency graph incomplete" notes
        doc = json.loads(outputter.output_as_string())  # the envelope and metadata
    # Components and services are serialised one by one by the library: its Bom.validate()
    # looks every component up in a list (quadratic: minutes at 100,000 components).
    doc["components"] = [_serialise(c, view) for c in b.components.values()]
    if b.services:
        doc["services"] = [_serialise(v, view) for v in b.services.values()]
    doc["dependencies"] = dependencies
    doc = _post_process(doc, b, spec, _content_hash(snapshot, items), timestamp)
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _serialise(model: Component | Service, view: type[Any]) -> dict[str, Any]:
    """One component or service as the library writes it for a schema version."""
    text: str = model.as_json(view_=view)  # type: ignore[union-attr]
    return dict(json.loads(text))


def _post_process(
    doc: dict[str, Any], b: _Builder, spec: str, content: str, timestamp: datetime | None
) -> dict[str, Any]:
    """The one step after the library serialises (it lacks these; remove when it has them):

    - ``serialNumber``: UUIDv5 of the inventory content (the library draws a random one);
    - ``metadata.timestamp``: removed unless asked (the library stamps the clock);
    - ``dependencies[].provides``: library -> algorithms it implements (no model field; the
      dependency graph is written as plain refs, see :func:`to_cbom`);
    - cipher suite ``identifiers`` in byte order (the library sorts them);
    - stable order of components, services, dependencies, occurrences and properties;
    - 1.7 only: ``cipherSuites[].tlsGroups`` / ``tlsSignatureSchemes`` (also kept as the
      protocol's ``pqcscan:tls-group`` / ``pqcscan:tls-signature-scheme`` properties) and the
      certificates' ``serialNumber`` and SHA-256 ``fingerprint`` (no model fields).
    """
    doc["serialNumber"] = f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, content)}"
    metadata = doc.setdefault("metadata", {})
    if timestamp is None:
        metadata.pop("timestamp", None)
    else:
        metadata["timestamp"] = timestamp.isoformat(timespec="seconds")
    deps = {d["ref"]: d for d in doc.get("dependencies", [])}
    for ref, provided in sorted(b.provides.items()):
        targets = sorted(t for t in provided if t in b.components)
        if targets and ref in deps:
            deps[ref]["provides"] = targets
    for comp in doc.get("components", []):  # the library sorts identifiers: byte order back
        codes = b.suite_codes.get(comp.get("bom-ref", ""), {})
        protocol = comp.get("cryptoProperties", {}).get("protocolProperties", {})
        for suite in protocol.get("cipherSuites", []):
            if suite.get("name") in codes:
                suite["identifiers"] = _suite_bytes(codes[suite["name"]])
    if spec == "1.7":
        for comp in doc.get("components", []):
            serial, sha256 = b.cert_extras.get(comp.get("bom-ref", ""), (None, None))
            cert = comp.get("cryptoProperties", {}).get("certificateProperties")
            if cert is not None and serial:
                cert["serialNumber"] = serial
            if cert is not None and sha256:
                cert["fingerprint"] = {"alg": "SHA-256", "content": sha256}
            extras = b.tls_extras.get(comp.get("bom-ref", ""))
            if extras is None:
                continue
            groups, schemes = extras
            protocol = comp["cryptoProperties"]["protocolProperties"]
            for suite in protocol.get("cipherSuites", []):
                if groups:
                    suite["tlsGroups"] = list(groups)
                if schemes:
                    suite["tlsSignatureSchemes"] = list(schemes)
    for comp in doc.get("components", []):  # the library's set order is not stable for these
        occurrences = comp.get("evidence", {}).get("occurrences")
        if occurrences:
            occurrences.sort(key=lambda o: (o["location"], o.get("line", 0), json.dumps(o)))
        if "properties" in comp:
            comp["properties"].sort(key=lambda p: (p["name"], p.get("value", "")))
    doc["components"] = sorted(doc.get("components", []), key=lambda c: c["bom-ref"])
    if "services" in doc:
        doc["services"] = sorted(doc["services"], key=lambda s: s["bom-ref"])
    doc["dependencies"] = sorted(doc.get("dependencies", []), key=lambda d: d["ref"])
    order = ["$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata"]
    order += ["components", "services", "dependencies"]
    return {k: doc[k] for k in [*order, *sorted(set(doc) - set(order))] if k in doc}


def schema_version(spec: str) -> SchemaVersion:
    """The library's schema version for ``1.6`` / ``1.7`` (for validation)."""
    return SchemaVersion.V1_7 if spec == "1.7" else SchemaVersion.V1_6


def validate(text: str, spec: str) -> str | None:
    """The first schema error of a CBOM (the library's strict JSON validator), or None."""
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(schema_version(spec)).validate_str(text)
    return None if error is None else str(error)


__all__ = [
    "SPECS",
    "CbomError",
    "algorithm_name",
    "algorithm_ref",
    "catalog_oid",
    "schema_version",
    "to_cbom",
    "validate",
]

"""CBOM collector: CycloneDX CBOMs and SBOMs from other tools and suppliers (``pqcscan import
cbom FILE``), joined to the inventory and attributed to their source.

The unit is the file (JSON, or XML read with defusedxml only). The document itself becomes a
``file`` asset (details: format, spec version, serial number, supplier, described component).
Its ``cryptographic-asset`` components are classified through the catalog, by OID first (with
the parameter set or curve), then by name (``RSA-2048``, ``ECDSA-P-256``, ``ML-KEM-768``):

- certificates become ``certificate`` assets when the CBOM gives their SHA-256 fingerprint
  (1.7 ``fingerprint``, the ``pqcscan:fingerprint-sha256`` property or a ``cert:<sha256>``
  bom-ref), else ``file`` assets keyed ``<document>#<bom-ref>``; findings: the signature
  algorithm (``signature``) and the subject key's algorithm (``authentication``);
- keys (``related-crypto-material``) and protocols become ``<document>#<bom-ref>`` assets:
  a key's algorithm; a protocol's version, cipher-suite algorithms, and 1.7 TLS groups and
  signature schemes;
- libraries (the SBOM parser's packages, by purl) become ``package`` assets with the crypto
  library knowledge (``package_findings``) and the algorithms the CBOM says they ``provide``;
- algorithms no other component refers to are findings on the document.

Every finding's evidence names collector ``cbom``, the component (``FILE#bom-ref``) and the
supplier / component the BOM describes. A file that is not a readable CycloneDX BOM is an
error item (exit 3); nothing else is stored for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from pqcscan.catalog import Catalog, Classification, Primitive, QuantumStatus, get_catalog
from pqcscan.collectors.code.deps.sbom import (
    package_from_purl,
    parse_cyclonedx_json,
    parse_cyclonedx_xml,
)
from pqcscan.collectors.code.libraries import package_findings
from pqcscan.collectors.code.model import CodeParseError, DependencyFile
from pqcscan.collectors.declared import classify_declared
from pqcscan.results import (
    USAGE_BY_PRIMITIVE,
    Asset,
    AssetKey,
    AssetType,
    CollectedItem,
    DetailValue,
    ErrorKind,
    Evidence,
    Finding,
    Link,
    Relation,
    ScanError,
    Usage,
)

COLLECTOR = "cbom"
#: Larger files are refused (a CBOM of 100,000 components is a few hundred MB at most).
MAX_BYTES = 512 * 1024 * 1024
_CDX_NS = re.compile(r"^\{(http://cyclonedx\.org/schema/bom/1\.\d+)\}bom$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: XML containers whose children form a JSON array (CycloneDX XML -> JSON shape).
_XML_LISTS = {
    "components": "component",
    "services": "service",
    "cipherSuites": "cipherSuite",
    "algorithms": "algorithm",
    "identifiers": "identifier",
    "cryptoFunctions": "cryptoFunction",
    "properties": "property",
    "cryptoRefArray": "cryptoRef",
    "tlsGroups": "tlsGroup",
    "tlsSignatureSchemes": "tlsSignatureScheme",
    "occurrences": "occurrence",
    "endpoints": "endpoint",
}


class CbomParseError(ValueError):
    """The file is not a readable CycloneDX BOM (the message says why)."""


@dataclass(frozen=True, slots=True)
class CbomFile:
    """The unit: one BOM file."""

    path: str


@dataclass(frozen=True, slots=True)
class Bom:
    """A CycloneDX document in JSON shape, whatever its serialisation."""

    format: str  # "cyclonedx-json" | "cyclonedx-xml"
    doc: dict[str, Any]
    raw: bytes


class CbomCollector:
    """Reads one CycloneDX BOM file; one unit."""

    name: ClassVar[str] = COLLECTOR

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()

    def arguments(self) -> dict[str, object]:
        return {"path": str(self.path)}

    def unit_key(self, unit: object) -> str:
        assert isinstance(unit, CbomFile)
        return unit.path

    def units(self) -> Iterator[CbomFile]:
        yield CbomFile(str(self.path))

    def collect_one(self, unit: object) -> CollectedItem:
        assert isinstance(unit, CbomFile)
        return collect_file(Path(unit.path))


def collect_file(path: Path) -> CollectedItem:
    """Everything a BOM file says, or an error item saying why it cannot be read."""
    locator = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return CollectedItem(
                locator,
                errors=(ScanError(locator, ErrorKind.TOO_LARGE, f"over {MAX_BYTES} bytes"),),
            )
        data = path.read_bytes()
    except OSError as exc:
        return CollectedItem(
            locator, errors=(ScanError(locator, ErrorKind.UNREADABLE, str(exc.strerror)),)
        )
    try:
        return build_item(locator, read_bom(path.name, data))
    except (CbomParseError, CodeParseError) as exc:
        return CollectedItem(locator, errors=(ScanError(locator, ErrorKind.MALFORMED, str(exc)),))
    except (RecursionError, TypeError, AttributeError, KeyError, ValueError) as exc:
        message = f"unexpected CycloneDX structure ({type(exc).__name__}: {exc})"
        return CollectedItem(locator, errors=(ScanError(locator, ErrorKind.MALFORMED, message),))


# -- reading -----------------------------------------------------------------------------------


def read_bom(name: str, data: bytes) -> Bom:
    """Parse a CycloneDX JSON or XML document into the JSON shape."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return Bom("cyclonedx-xml", _xml_doc(name, data), data)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CbomParseError(f"{name}: not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise CbomParseError(f"{name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise CbomParseError(f"{name}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise CbomParseError(f'{name}: not a CycloneDX BOM (no "bomFormat": "CycloneDX")')
    return Bom("cyclonedx-json", doc, data)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_value(el: Element) -> Any:
    """A CycloneDX XML element in the JSON shape (for the fields this collector reads)."""
    tag = _local(el.tag)
    children = list(el)
    if tag in _XML_LISTS:
        return [_xml_value(c) for c in children if _local(c.tag) == _XML_LISTS[tag]]
    if tag == "dependency":
        out: dict[str, Any] = {"ref": el.get("ref", "")}
        depends = [c.get("ref", "") for c in children if _local(c.tag) == "dependency"]
        provides = [c.get("ref", "") for c in children if _local(c.tag) == "provides"]
        if depends:
            out["dependsOn"] = depends
        if provides:
            out["provides"] = provides
        return out
    text = (el.text or "").strip()
    if not children and not el.attrib:
        return text
    value: dict[str, Any] = dict(el.attrib)
    if text and not children:
        value["value"] = text
    for child in children:
        key = _local(child.tag)
        item = _xml_value(child)
        if key in ("certificationLevel",):
            value.setdefault(key, []).append(item)
        else:
            value[key] = item
    return value


def _xml_doc(name: str, data: bytes) -> dict[str, Any]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CbomParseError(f"{name}: refused XML ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise CbomParseError(f"{name}: invalid XML: {exc}") from None
    except (LookupError, ValueError) as exc:
        raise CbomParseError(f"{name}: XML encoding: {exc}") from None
    match = _CDX_NS.match(str(root.tag))
    if match is None:
        raise CbomParseError(f"{name}: not a CycloneDX BOM (root element {root.tag[:80]!r})")
    doc: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": match.group(1).rpartition("/")[2],
        "serialNumber": root.get("serialNumber"),
    }
    for child in root:
        key = _local(child.tag)
        if key == "dependencies":
            doc[key] = [_xml_value(d) for d in child if _local(d.tag) == "dependency"]
        elif key in ("metadata", "components", "services"):
            doc[key] = _xml_value(child)
    return doc


# -- building ----------------------------------------------------------------------------------


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value", "")
    return str(value).strip() if isinstance(value, str | int | float) else ""


def _components(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every component, nested ones too, in document order."""
    out: list[dict[str, Any]] = []
    stack = list(reversed(_list(doc.get("components"))))
    while stack:
        comp = stack.pop()
        if not isinstance(comp, dict):
            continue
        out.append(comp)
        stack.extend(reversed(_list(comp.get("components"))))
    return out


def _properties(comp: Mapping[str, Any]) -> dict[str, str]:
    return {
        _str(p.get("name")): _str(p.get("value"))
        for p in _list(comp.get("properties"))
        if isinstance(p, dict)
    }


def classify_algorithm(catalog: Catalog, comp: Mapping[str, Any]) -> Classification:
    """An algorithm component, by OID first (with its parameter set or curve), then name."""
    crypto = _dict(comp.get("cryptoProperties"))
    props = _dict(crypto.get("algorithmProperties"))
    parameter = _str(props.get("parameterSetIdentifier")) or _str(props.get("curve"))
    if not parameter:
        curve = _str(props.get("ellipticCurve"))  # 1.7: "nist/P-256"
        parameter = curve.rpartition("/")[2]
    oid = _str(crypto.get("oid"))
    if oid:
        c = catalog.classify_oid(oid, parameter)
        if c.known:
            return c
    name = _str(comp.get("name"))
    c = catalog.classify(name)
    if c.known and parameter and not c.parameter:
        c = catalog.classify(c.algorithm, parameter, identifier=f"name:{name}")
    if c.known:
        return c
    c = classify_declared(catalog, name)
    if c.known:
        return replace(c, identifier=f"name:{name}")
    if parameter:
        c = classify_declared(catalog, f"{name} {parameter}")
        if c.known:
            return replace(c, identifier=f"name:{name}")
    return Classification(
        "unknown", name, QuantumStatus.UNKNOWN, identifier=f"oid:{oid}" if oid else f"name:{name}"
    )


def _usage(c: Classification, comp: Mapping[str, Any] | None) -> Usage:
    functions: set[str] = set()
    if comp is not None:
        props = _dict(_dict(comp.get("cryptoProperties")).get("algorithmProperties"))
        functions = {_str(f) for f in _list(props.get("cryptoFunctions"))}
    if c.primitive is None:
        return Usage.KEY
    if c.family == "RSA" or c.primitive is Primitive.PKE:
        if functions & {"sign", "verify"}:
            return Usage.SIGNATURE
        if functions & {"encrypt", "decrypt", "encapsulate", "decapsulate"}:
            return Usage.ENCRYPTION
        return Usage.KEY if c.family == "RSA" else Usage.ENCRYPTION
    return USAGE_BY_PRIMITIVE.get(c.primitive, Usage.KEY)


@dataclass
class _Item:
    """Assets, findings and links of one document while it is read."""

    locator: str
    attribution: str
    assets: dict[AssetKey, Asset]
    findings: dict[tuple[AssetKey, str, str, Usage], Finding]
    links: dict[tuple[AssetKey, Relation, AssetKey], Link]

    def asset(self, asset: Asset) -> AssetKey:
        key = AssetKey.of(asset)
        self.assets.setdefault(key, asset)
        return key

    def finding(
        self, asset: AssetKey, c: Classification, usage: Usage, where: str, method: str
    ) -> None:
        if c.pseudo:
            return
        k = (asset, c.algorithm, c.parameter, usage)
        self.findings.setdefault(
            k,
            Finding(
                asset=asset,
                algorithm=c.algorithm,
                parameter=c.parameter,
                usage=usage,
                quantum_status=c.status,
                evidence=Evidence(COLLECTOR, where, method, c.identifier, self.attribution),
                classical_bits=c.classical_bits,
                nist_category=c.nist_category,
            ),
        )

    def link(self, source: AssetKey, relation: Relation, target: AssetKey) -> None:
        if source != target:
            self.links.setdefault((source, relation, target), Link(source, relation, target))


def _attribution(doc: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    metadata = _dict(doc.get("metadata"))
    supplier = _str(_dict(metadata.get("supplier")).get("name")) or None
    component = _dict(metadata.get("component"))
    described = " ".join(
        p for p in (_str(component.get("name")), _str(component.get("version"))) if p
    )
    parts = []
    if supplier:
        parts.append(f"supplier {supplier}")
    if described:
        parts.append(f"component {described}")
    text = "from a CycloneDX BOM" + (f" ({'; '.join(parts)})" if parts else "")
    return text, supplier, described or None


def _cert_fingerprint(comp: Mapping[str, Any], ref: str) -> str | None:
    props = _dict(_dict(comp.get("cryptoProperties")).get("certificateProperties"))
    fingerprint = _dict(props.get("fingerprint"))
    if _str(fingerprint.get("alg")).upper().replace("-", "") == "SHA256":
        content = fingerprint.get("content") or fingerprint.get("value")  # JSON / XML
        value = _str(content).lower().replace(":", "")
        if _SHA256.match(value):
            return value
    value = _properties(comp).get("pqcscan:fingerprint-sha256", "").lower()
    if _SHA256.match(value):
        return value
    if ref.startswith("cert:") and _SHA256.match(ref[5:]):
        return ref[5:]
    return None


def build_item(locator: str, bom: Bom) -> CollectedItem:
    """The document asset and everything its components say."""
    catalog = get_catalog()
    doc = bom.doc
    attribution, supplier, described = _attribution(doc)
    item = _Item(locator, attribution, {}, {}, {})
    components = _components(doc)
    by_ref = {_str(c.get("bom-ref")): c for c in components if _str(c.get("bom-ref"))}
    crypto = [c for c in components if c.get("type") == "cryptographic-asset"]
    details: list[tuple[str, DetailValue]] = [
        ("kind", "cbom"),
        ("format", bom.format),
        ("spec_version", _str(doc.get("specVersion")) or None),
        ("serial_number", _str(doc.get("serialNumber")) or None),
        ("supplier", supplier),
        ("component", described),
        ("components", len(components)),
        ("crypto_assets", len(crypto)),
    ]
    document = item.asset(
        Asset(
            AssetType.FILE,
            locator,
            locator,
            described or Path(locator).name,
            tuple((k, v) for k, v in details if v is not None),
        )
    )
    algorithms: dict[str, Classification] = {}
    for comp in crypto:
        cp = _dict(comp.get("cryptoProperties"))
        if _str(cp.get("assetType")) == "algorithm":
            algorithms[_str(comp.get("bom-ref"))] = classify_algorithm(catalog, comp)
    used: set[str] = set()

    def algorithm_finding(
        asset: AssetKey, ref: str, where: str, method: str, usage: Usage | None
    ) -> None:
        c = algorithms.get(ref)
        if c is None:
            return
        used.add(ref)
        item.finding(asset, c, usage or _usage(c, by_ref.get(ref)), where, method)

    for comp in crypto:
        ref = _str(comp.get("bom-ref"))
        cp = _dict(comp.get("cryptoProperties"))
        kind = _str(cp.get("assetType"))
        where = f"{locator}#{ref}" if ref else locator
        name = _str(comp.get("name")) or ref
        if kind == "certificate":
            props = _dict(cp.get("certificateProperties"))
            fingerprint = _cert_fingerprint(comp, ref)
            spki = _str(props.get("subjectPublicKeyRef"))
            cert_details: list[tuple[str, DetailValue]] = [
                ("subject", _str(props.get("subjectName")) or None),
                ("issuer", _str(props.get("issuerName")) or None),
                ("serial", _str(props.get("serialNumber")) or None),
                ("not_before", _str(props.get("notValidBefore")) or None),
                ("not_after", _str(props.get("notValidAfter")) or None),
                ("spki_sha256", spki[4:] if _SHA256.match(spki[4:]) else None),
                ("declared_in", where),
            ]
            asset = Asset(
                AssetType.CERTIFICATE if fingerprint else AssetType.FILE,
                fingerprint or where,
                where,
                name,
                tuple((k, v) for k, v in cert_details if v is not None),
            )
            key = item.asset(asset)
            item.link(document, Relation.CONTAINS, key)
            signature = _str(props.get("signatureAlgorithmRef"))
            algorithm_finding(
                key, signature, where, "CBOM certificate signature algorithm", Usage.SIGNATURE
            )
            key_comp = _dict(by_ref.get(spki))
            key_alg = _str(
                _dict(
                    _dict(key_comp.get("cryptoProperties")).get("relatedCryptoMaterialProperties")
                ).get("algorithmRef")
            )
            if spki in algorithms:
                key_alg = spki
            if key_alg in algorithms and key_alg != signature:  # self-signed: one finding
                c = algorithms[key_alg]
                usage = Usage.KEY_EXCHANGE if c.primitive is Primitive.KEM else Usage.AUTHENTICATION
                algorithm_finding(key, key_alg, where, "CBOM certificate subject public key", usage)
        elif kind == "related-crypto-material":
            props = _dict(cp.get("relatedCryptoMaterialProperties"))
            key = item.asset(
                Asset(
                    AssetType.FILE,
                    where,
                    where,
                    name,
                    (("kind", _str(props.get("type")) or "key"), ("declared_in", where)),
                )
            )
            item.link(document, Relation.CONTAINS, key)
            algorithm_finding(
                key, _str(props.get("algorithmRef")), where, "CBOM key algorithm", Usage.KEY
            )
        elif kind == "protocol":
            props = _dict(cp.get("protocolProperties"))
            ptype = _str(props.get("type")).lower()
            version = _str(props.get("version"))
            key = item.asset(
                Asset(
                    AssetType.FILE,
                    where,
                    where,
                    name,
                    (("kind", f"protocol {ptype}".strip()), ("declared_in", where)),
                )
            )
            item.link(document, Relation.CONTAINS, key)
            family = {"tls": "TLS", "ssh": "SSH", "dtls": "TLS"}.get(ptype)
            if family and version:
                c = catalog.classify(family, version, identifier=f"cbom-protocol:{ptype} {version}")
                item.finding(key, c, Usage.PROTOCOL, where, "CBOM protocol version")
            refs: list[str] = [_str(r) for r in _list(props.get("cryptoRefArray"))]
            for suite in _list(props.get("cipherSuites")):
                suite = _dict(suite)
                refs.extend(_str(r) for r in _list(suite.get("algorithms")))
                for group in _list(suite.get("tlsGroups")):
                    c = catalog.classify_named("tls-group", _str(group))
                    item.finding(key, c, Usage.KEY_EXCHANGE, where, "CBOM TLS group")
                for scheme in _list(suite.get("tlsSignatureSchemes")):
                    c = catalog.classify_named("tls-signature-scheme", _str(scheme))
                    item.finding(key, c, Usage.AUTHENTICATION, where, "CBOM TLS signature scheme")
            for r in refs:
                algorithm_finding(key, r, where, "CBOM protocol algorithm", None)
    _libraries(item, bom, by_ref, algorithms, used, document)
    for ref, c in algorithms.items():
        if ref not in used:
            where = f"{locator}#{ref}" if ref else locator
            item.finding(document, c, _usage(c, by_ref.get(ref)), where, "CBOM algorithm")
    return CollectedItem(
        locator,
        assets=tuple(item.assets.values()),
        findings=tuple(item.findings.values()),
        links=tuple(item.links.values()),
    )


def _libraries(
    item: _Item,
    bom: Bom,
    by_ref: Mapping[str, Mapping[str, Any]],
    algorithms: Mapping[str, Classification],
    used: set[str],
    document: AssetKey,
) -> None:
    """``package`` assets from the SBOM parser, with library knowledge and ``provides``."""
    name = Path(item.locator).name
    parsed: DependencyFile = (
        parse_cyclonedx_xml(name, bom.raw)
        if bom.format == "cyclonedx-xml"
        else parse_cyclonedx_json(name, bom.raw)
    )
    keys: dict[str, AssetKey] = {}
    for package in parsed.packages:
        extra, findings = package_findings(package, item.locator)
        label = f"{package.name} {package.version}" if package.version else package.name
        details: tuple[tuple[str, DetailValue], ...] = tuple(
            (k, v)
            for k, v in (
                ("ecosystem", package.ecosystem),
                ("package", package.name),
                ("version", package.version),
                ("scope", package.scope),
                ("direct", package.direct),
                ("declared_in", f"{item.locator}:{package.line}" if package.line else item.locator),
                ("source", item.attribution),
            )
            if v is not None
        )
        key = item.asset(
            Asset(AssetType.PACKAGE, package.purl, package.purl, label, details + extra)
        )
        keys[package.purl] = key
        item.link(document, Relation.DEPENDS_ON, key)
        for f in findings:
            evidence = replace(f.evidence, collector=COLLECTOR, detail=item.attribution)
            item.findings.setdefault(
                (f.asset, f.algorithm, f.parameter, f.usage), replace(f, evidence=evidence)
            )
    for source, target in parsed.edges:
        if source and source in keys and target in keys:
            item.link(keys[source], Relation.DEPENDS_ON, keys[target])
    for dep in _list(bom.doc.get("dependencies")):
        dep = _dict(dep)
        provided = [_str(r) for r in _list(dep.get("provides")) if _str(r) in algorithms]
        comp = by_ref.get(_str(dep.get("ref")))
        if not provided or comp is None or comp.get("type") == "cryptographic-asset":
            continue
        try:
            package, _ = package_from_purl(
                _str(comp.get("purl")) or None,
                _str(comp.get("name")),
                _str(comp.get("version")) or None,
                group=_str(comp.get("group")) or None,
            )
        except CodeParseError:
            continue
        library = keys.get(package.purl)
        if library is None:
            continue
        for ref in provided:
            used.add(ref)
            c = algorithms[ref]
            where = f"{item.locator}#{ref}"
            item.finding(library, c, _usage(c, by_ref.get(ref)), where, "CBOM provides")


__all__ = [
    "COLLECTOR",
    "Bom",
    "CbomCollector",
    "CbomFile",
    "CbomParseError",
    "build_item",
    "read_bom",
]

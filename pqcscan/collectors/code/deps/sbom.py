"""SBOMs: CycloneDX (JSON, XML) and SPDX (JSON, tag-value) -> :class:`DependencyFile`.

Formats (``DependencyFile.kind``):

- ``cyclonedx-json`` (spec 1.2-1.6): ``components`` (nested ones too), ``metadata.component``
  (the project), ``dependencies`` (``ref`` / ``dependsOn`` through ``bom-ref``) -> edges and
  direct flags, ``scope`` required/optional/excluded -> ``runtime``/``optional``/``excluded``.
- ``cyclonedx-xml``: the same in any ``http://cyclonedx.org/schema/bom/1.x`` namespace, read
  with defusedxml (a DTD, and so any entity trick, is refused).
- ``spdx-json`` (SPDX 2.2/2.3) and ``spdx-tag-value``: packages with their purl external
  reference (else ``pkg:generic/<name>@<version>``), ``DESCRIBES`` / ``documentDescribes`` ->
  the project, ``DEPENDS_ON`` / ``*DEPENDENCY_OF`` -> edges (the ``DEV_``, ``TEST_``,
  ``BUILD_``, ``OPTIONAL_``, ``PROVIDED_``, ``RUNTIME_`` kinds also give the scope).

A component or package without a purl becomes ``pkg:generic/<name>@<version>``; the ecosystem
is the purl type. Files are recognised by name (``bom.json``, ``*.cdx.json``, ``*.spdx.json``,
``bom.xml``, ``*.spdx``...) or, for other ``.json`` / ``.xml`` / ``.spdx.txt`` names, by their
first bytes; ecosystem manifests (``package.json``, ``pom.xml``...) are never claimed.
Components of type file, data, cryptographic-asset and machine-learning-model are not
packages and are skipped (counted in one warning). Line numbers: SPDX tag-value exact; JSON and
XML the first line that carries the package's purl; otherwise None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, load_json
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = [
    "PARSERS",
    "package_from_purl",
    "parse_cyclonedx_json",
    "parse_cyclonedx_xml",
    "parse_spdx_json",
    "parse_spdx_tag_value",
]

#: CycloneDX component types that are not packages.
_NOT_PACKAGES = frozenset({"file", "data", "cryptographic-asset", "machine-learning-model"})
#: purl types whose package names include the namespace.
_NAMESPACED_TYPES = frozenset(
    {"maven", "npm", "composer", "golang", "github", "gitlab", "bitbucket", "swift"}
)
_CDX_SCOPES = {"required": "runtime", "optional": "optional", "excluded": "excluded"}
#: SPDX relationship types: (edge goes from element to related?, scope of the dependency).
_SPDX_DEPENDENCY: dict[str, tuple[bool, str | None]] = {
    "DEPENDS_ON": (True, None),
    "DEPENDENCY_OF": (False, None),
    "DEV_DEPENDENCY_OF": (False, "dev"),
    "TEST_DEPENDENCY_OF": (False, "test"),
    "BUILD_DEPENDENCY_OF": (False, "build"),
    "OPTIONAL_DEPENDENCY_OF": (False, "optional"),
    "PROVIDED_DEPENDENCY_OF": (False, "provided"),
    "RUNTIME_DEPENDENCY_OF": (False, "runtime"),
}
#: Ecosystem files that are JSON/XML but never SBOMs (other parsers own them).
_NOT_SBOM_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "composer.json",
        "composer.lock",
        "packages.lock.json",
        "project.assets.json",
        "pipfile.lock",
        "tsconfig.json",
        "jsconfig.json",
        "deno.json",
        "bower.json",
        "pom.xml",
        "packages.config",
        "ivy.xml",
        "build.xml",
    }
)

_SNIFF_CDX_JSON = re.compile(rb'"bomFormat"\s*:\s*"CycloneDX"')
_SNIFF_SPDX_JSON = re.compile(rb'"spdxVersion"\s*:\s*"SPDX-')
_SNIFF_CDX_XML = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?bom\b[^>]*?\bxmlns(?::[\w.-]+)?\s*=\s*[\"']"
    rb"http://cyclonedx\.org/schema/bom/"
)
_SNIFF_SPDX_TV = re.compile(rb"^\s*SPDXVersion:\s*SPDX-", re.M)
_CDX_NS = re.compile(r"^\{(http://cyclonedx\.org/schema/bom/1\.\d+)\}bom$")
_MAX_WARNINGS = 50


# --------------------------------------------------------------------------- packages


def _display_name(purl: PackageURL) -> str:
    """The name as the ecosystem spells it (maven ``group:artifact``, npm ``@scope/name``).

    Only ecosystems whose names include the purl namespace keep it; for the others (a Linux
    distribution's ``apk``/``deb``/``rpm``, ``generic``) it is the vendor, not the name.
    """
    if not purl.namespace or purl.type not in _NAMESPACED_TYPES:
        return str(purl.name)
    if purl.type == "maven":
        return f"{purl.namespace}:{purl.name}"
    return f"{purl.namespace}/{purl.name}"


def package_from_purl(
    purl: str | None,
    name: str,
    version: str | None,
    *,
    group: str | None = None,
    direct: bool | None = None,
    scope: str | None = None,
    line: int | None = None,
) -> tuple[Package, str | None]:
    """A :class:`Package` from an SBOM entry, and a warning when its purl was unusable.

    Without a (valid) purl the package is ``pkg:generic/[<group>/]<name>@<version>``; a purl
    without a version gets the entry's version.
    """
    warning = None
    parsed: PackageURL | None = None
    if purl:
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError as exc:
            warning = f"{name}: invalid purl {purl!r:.120} ({exc}), recorded as generic"
    if parsed is None:
        if not name.strip():
            raise CodeParseError("a package without a name and without a purl")
        parsed = PackageURL(
            type="generic", namespace=group or None, name=name, version=version or None
        )
    elif not parsed.version and version:
        parsed = PackageURL(
            type=parsed.type,
            namespace=parsed.namespace,
            name=parsed.name,
            version=version,
            qualifiers=parsed.qualifiers,
            subpath=parsed.subpath,
        )
    package = Package(
        purl=parsed.to_string(),
        ecosystem=str(parsed.type),
        name=_display_name(parsed),
        version=parsed.version or None,
        direct=direct,
        scope=scope,
        line=line,
    )
    return package, warning


class _Warnings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, text: str | None) -> None:
        if text is None:
            return
        if len(self.items) < _MAX_WARNINGS:
            self.items.append(text)
        else:
            self.dropped += 1

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.items, f"{self.dropped} more warnings not shown")
        return tuple(self.items)


@dataclass(slots=True)
class _Entry:
    """One component/package while an SBOM is read."""

    ref: str | None
    name: str
    version: str | None
    purl: str | None
    group: str | None = None
    scope: str | None = None
    line: int | None = None


@dataclass(slots=True)
class _Graph:
    """What an SBOM says about its packages, before it becomes a DependencyFile."""

    entries: list[_Entry] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)  # refs of the project itself
    depends: list[tuple[str, str]] = field(default_factory=list)  # (from ref, to ref)
    scopes: dict[str, str] = field(default_factory=dict)  # ref -> scope from relationships
    warnings: _Warnings = field(default_factory=_Warnings)


def _build(kind: str, project: str | None, graph: _Graph) -> DependencyFile:
    """Packages (the project's own refs left out, duplicates merged by purl), direct flags
    (when the project's own dependencies are listed) and edges mapped from refs to purls."""
    ref_to_purl: dict[str, str] = {}
    packages: dict[str, Package] = {}
    root_targets = {to for frm, to in graph.depends if frm in graph.roots}
    know_direct = bool(root_targets)
    for entry in graph.entries:
        if entry.ref is not None and entry.ref in graph.roots:
            continue
        scope = entry.scope or (graph.scopes.get(entry.ref) if entry.ref else None)
        direct = (entry.ref in root_targets) if know_direct else None
        package, warning = package_from_purl(
            entry.purl,
            entry.name,
            entry.version,
            group=entry.group,
            direct=direct,
            scope=scope,
            line=entry.line,
        )
        graph.warnings.add(warning)
        if entry.ref is not None:
            ref_to_purl.setdefault(entry.ref, package.purl)
        previous = packages.get(package.purl)
        if previous is None or (direct and not previous.direct):
            packages[package.purl] = package
    for root in graph.roots:
        ref_to_purl[root] = ""
    edges: list[tuple[str, str]] = []
    for frm, to in graph.depends:
        source, target = ref_to_purl.get(frm), ref_to_purl.get(to)
        if source is not None and target and source != target:
            edges.append((source, target))
    return DependencyFile(
        kind=kind,
        project=project,
        packages=tuple(packages.values()),
        edges=tuple(dict.fromkeys(edges)),
        warnings=graph.warnings.result(),
    )


def _purl_lines(text: str, pattern: re.Pattern[str], xml: bool = False) -> dict[str, int]:
    """First line of each purl value the pattern finds (a cheap scan, no parser)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        for match in pattern.finditer(line):
            value = unescape(match.group(1)) if xml else match.group(1).replace("\\/", "/")
            lines.setdefault(value, number)
    return lines


# --------------------------------------------------------------------------- CycloneDX JSON

_JSON_PURL = re.compile(r'"purl"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')


def _opt_str(value: object, what: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CodeParseError(f"{name}: {what} must be a string")
    return value


def _list(value: object, what: str, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CodeParseError(f"{name}: {what} must be an array")
    return value


def _table(value: object, what: str, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CodeParseError(f"{name}: {what} must be an object")
    return value


def parse_cyclonedx_json(name: str, data: bytes) -> DependencyFile:
    """Parse a CycloneDX JSON BOM (spec 1.2-1.6)."""
    doc = load_json(name, data)
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise CodeParseError(f'{name}: not a CycloneDX BOM (no "bomFormat": "CycloneDX")')
    _opt_str(doc.get("specVersion"), "specVersion", name)
    lines = _purl_lines(decode_text(name, data), _JSON_PURL)
    graph = _Graph()
    metadata = _table(doc.get("metadata"), "metadata", name)
    root = _table(metadata.get("component"), "metadata.component", name)
    project = _opt_str(root.get("name"), "metadata.component.name", name)
    root_ref = _opt_str(root.get("bom-ref"), "metadata.component.bom-ref", name)
    if root_ref:
        graph.roots.add(root_ref)
    skipped = 0
    stack: list[tuple[str, list[Any]]] = [
        ("components", _list(doc.get("components"), "components", name))
    ]
    while stack:
        path, items = stack.pop()
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            component = _table(item, where, name)
            nested = _list(component.get("components"), f"{where}.components", name)
            if nested:
                stack.append((f"{where}.components", nested))
            kind = _opt_str(component.get("type"), f"{where}.type", name)
            comp_name = _opt_str(component.get("name"), f"{where}.name", name)
            if not comp_name:
                raise CodeParseError(f"{name}: {where} has no name")
            if kind in _NOT_PACKAGES:
                skipped += 1
                continue
            purl = _opt_str(component.get("purl"), f"{where}.purl", name)
            scope = _opt_str(component.get("scope"), f"{where}.scope", name)
            graph.entries.append(
                _Entry(
                    ref=_opt_str(component.get("bom-ref"), f"{where}.bom-ref", name),
                    name=comp_name,
                    version=_opt_str(component.get("version"), f"{where}.version", name),
                    purl=purl,
                    group=_opt_str(component.get("group"), f"{where}.group", name),
                    scope=_CDX_SCOPES.get(scope or ""),
                    line=lines.get(purl) if purl else None,
                )
            )
    if skipped:
        graph.warnings.add(f"{skipped} components that are not packages (files, data) skipped")
    for index, item in enumerate(_list(doc.get("dependencies"), "dependencies", name)):
        where = f"dependencies[{index}]"
        dependency = _table(item, where, name)
        ref = _opt_str(dependency.get("ref"), f"{where}.ref", name)
        if not ref:
            raise CodeParseError(f"{name}: {where} has no ref")
        for target in _list(dependency.get("dependsOn"), f"{where}.dependsOn", name):
            # 1.2-1.6 list refs as strings; be lenient with {"ref": ...} objects
            if isinstance(target, dict):
                target = target.get("ref")
            graph.depends.append((ref, _opt_str(target, f"{where}.dependsOn", name) or ""))
    return _build("cyclonedx-json", project, graph)


# --------------------------------------------------------------------------- CycloneDX XML

_XML_PURL = re.compile(r"<(?:[\w.-]+:)?purl>([^<]*)</")


def _xml_root(name: str, data: bytes) -> Element:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CodeParseError(f"{name}: refused XML ({type(exc).__name__}): {exc}") from None
    except SafeET.ParseError as exc:
        raise CodeParseError(f"{name}: invalid XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # an unknown or unsupported declared encoding
        raise CodeParseError(f"{name}: XML encoding: {exc}") from None
    except RecursionError:
        raise CodeParseError(f"{name}: XML nested too deeply") from None
    if not isinstance(root, Element):
        raise CodeParseError(f"{name}: no XML document")
    return root


def parse_cyclonedx_xml(name: str, data: bytes) -> DependencyFile:
    """Parse a CycloneDX XML BOM (any 1.x namespace)."""
    root = _xml_root(name, data)
    match = _CDX_NS.match(root.tag)
    if match is None:
        raise CodeParseError(f"{name}: not a CycloneDX BOM (root element {root.tag[:120]!r})")
    ns = "{" + match.group(1) + "}"
    lines = _purl_lines(data.decode("utf-8", errors="replace"), _XML_PURL, xml=True)

    def child_text(element: Element, tag: str) -> str | None:
        child = element.find(ns + tag)
        if child is None or child.text is None:
            return None
        return child.text.strip() or None

    graph = _Graph()
    project = None
    metadata = root.find(ns + "metadata")
    if metadata is not None:
        component = metadata.find(ns + "component")
        if component is not None:
            project = child_text(component, "name")
            if component.get("bom-ref"):
                graph.roots.add(str(component.get("bom-ref")))
    skipped = 0
    stack: list[Element] = []
    top = root.find(ns + "components")
    if top is not None:
        stack.append(top)
    while stack:
        container = stack.pop()
        for component in container.findall(ns + "component"):
            nested = component.find(ns + "components")
            if nested is not None:
                stack.append(nested)
            comp_name = child_text(component, "name")
            if not comp_name:
                raise CodeParseError(f"{name}: a component has no name")
            if component.get("type") in _NOT_PACKAGES:
                skipped += 1
                continue
            purl = child_text(component, "purl")
            graph.entries.append(
                _Entry(
                    ref=component.get("bom-ref"),
                    name=comp_name,
                    version=child_text(component, "version"),
                    purl=purl,
                    group=child_text(component, "group"),
                    scope=_CDX_SCOPES.get(child_text(component, "scope") or ""),
                    line=lines.get(purl) if purl else None,
                )
            )
    if skipped:
        graph.warnings.add(f"{skipped} components that are not packages (files, data) skipped")
    dependencies = root.find(ns + "dependencies")
    if dependencies is not None:
        pending: list[Element] = [dependencies]
        while pending:
            parent = pending.pop()
            parent_ref = parent.get("ref")
            for dependency in parent.findall(ns + "dependency"):
                ref = dependency.get("ref")
                if not ref:
                    raise CodeParseError(f"{name}: a dependency has no ref")
                if parent_ref:
                    graph.depends.append((parent_ref, ref))
                pending.append(dependency)
    return _build("cyclonedx-xml", project, graph)


# --------------------------------------------------------------------------- SPDX


def _spdx_relationship(graph: _Graph, element: str, kind: str, related: str) -> None:
    """Record one SPDX relationship in the graph."""
    if kind == "DESCRIBES" and element == "SPDXRef-DOCUMENT":
        graph.roots.add(related)
    elif kind == "DESCRIBED_BY" and related == "SPDXRef-DOCUMENT":
        graph.roots.add(element)
    elif kind in _SPDX_DEPENDENCY:
        forward, scope = _SPDX_DEPENDENCY[kind]
        frm, to = (element, related) if forward else (related, element)
        graph.depends.append((frm, to))
        if scope is not None:
            graph.scopes.setdefault(to, scope)


def _spdx_project(graph: _Graph) -> str | None:
    for entry in graph.entries:
        if entry.ref in graph.roots:
            return entry.name
    return None


_JSON_LOCATOR = re.compile(r'"referenceLocator"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')


def _spdx_json_purl(refs: Iterable[Any], where: str, name: str) -> str | None:
    for index, ref in enumerate(refs):
        ref = _table(ref, f"{where}.externalRefs[{index}]", name)
        if ref.get("referenceType") == "purl":
            return _opt_str(ref.get("referenceLocator"), f"{where}: referenceLocator", name)
    return None


def parse_spdx_json(name: str, data: bytes) -> DependencyFile:
    """Parse an SPDX 2.2/2.3 JSON document."""
    doc = load_json(name, data)
    version = doc.get("spdxVersion") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(version, str) or not version.startswith("SPDX-"):
        raise CodeParseError(f'{name}: not an SPDX document (no "spdxVersion": "SPDX-...")')
    lines = _purl_lines(decode_text(name, data), _JSON_LOCATOR)
    graph = _Graph()
    for index, item in enumerate(_list(doc.get("packages"), "packages", name)):
        where = f"packages[{index}]"
        package = _table(item, where, name)
        pkg_name = _opt_str(package.get("name"), f"{where}.name", name)
        if not pkg_name:
            raise CodeParseError(f"{name}: {where} has no name")
        refs = _list(package.get("externalRefs"), f"{where}.externalRefs", name)
        purl = _spdx_json_purl(refs, where, name)
        graph.entries.append(
            _Entry(
                ref=_opt_str(package.get("SPDXID"), f"{where}.SPDXID", name),
                name=pkg_name,
                version=_opt_str(package.get("versionInfo"), f"{where}.versionInfo", name),
                purl=purl,
                line=lines.get(purl) if purl else None,
            )
        )
    for index, described in enumerate(
        _list(doc.get("documentDescribes"), "documentDescribes", name)
    ):
        described = _opt_str(described, f"documentDescribes[{index}]", name)
        if described:
            graph.roots.add(described)
    for index, item in enumerate(_list(doc.get("relationships"), "relationships", name)):
        where = f"relationships[{index}]"
        relationship = _table(item, where, name)
        element = _opt_str(relationship.get("spdxElementId"), f"{where}.spdxElementId", name)
        kind = _opt_str(relationship.get("relationshipType"), f"{where}.relationshipType", name)
        related = _opt_str(
            relationship.get("relatedSpdxElement"), f"{where}.relatedSpdxElement", name
        )
        if not element or not kind or not related:
            raise CodeParseError(f"{name}: {where} is incomplete")
        _spdx_relationship(graph, element, kind, related)
    return _build("spdx-json", _spdx_project(graph), graph)


def parse_spdx_tag_value(name: str, data: bytes) -> DependencyFile:
    """Parse an SPDX 2.x tag-value document (``Tag: value`` lines)."""
    text = decode_text(name, data)
    graph = _Graph()
    seen_version = False
    current: _Entry | None = None
    in_text = False
    for number, raw in enumerate(text.splitlines(), 1):
        if in_text:
            in_text = "</text>" not in raw
            continue
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep or not tag.isalnum():
            raise CodeParseError(f"{name}: line {number}: not a 'Tag: value' line")
        value = value.strip()
        if value.startswith("<text>") and "</text>" not in value:
            in_text = True
            continue
        if tag == "SPDXVersion":
            if not value.startswith("SPDX-"):
                raise CodeParseError(f"{name}: line {number}: unknown SPDX version {value!r:.40}")
            seen_version = True
        elif not seen_version:
            raise CodeParseError(f"{name}: line {number}: {tag} before SPDXVersion")
        elif tag == "PackageName":
            if not value:
                raise CodeParseError(f"{name}: line {number}: empty PackageName")
            current = _Entry(ref=None, name=value, version=None, purl=None, line=number)
            graph.entries.append(current)
        elif tag in ("FileName", "SnippetSPDXID", "LicenseID"):
            current = None
        elif current is None:
            if tag == "Relationship":
                _tag_value_relationship(graph, value, number, name)
        elif tag == "SPDXID" and current.ref is None:
            current.ref = value
        elif tag == "PackageVersion":
            current.version = value
        elif tag == "ExternalRef":
            parts = value.split()
            if len(parts) >= 3 and parts[1] == "purl" and current.purl is None:
                current.purl = parts[2]
        elif tag == "Relationship":
            _tag_value_relationship(graph, value, number, name)
    if not seen_version:
        raise CodeParseError(f"{name}: not an SPDX tag-value document (no SPDXVersion)")
    return _build("spdx-tag-value", _spdx_project(graph), graph)


def _tag_value_relationship(graph: _Graph, value: str, number: int, name: str) -> None:
    parts = value.split()
    if len(parts) < 3:
        raise CodeParseError(f"{name}: line {number}: incomplete Relationship")
    _spdx_relationship(graph, parts[0], parts[1], parts[2])


# --------------------------------------------------------------------------- detection


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _json_kind(name: str, head: bytes) -> str | None:
    base = _base(name)
    if not base.endswith(".json") or base in _NOT_SBOM_NAMES:
        return None
    if _SNIFF_SPDX_JSON.search(head):
        return "spdx-json"
    if _SNIFF_CDX_JSON.search(head):
        return "cyclonedx-json"
    if base.endswith(".spdx.json"):
        return "spdx-json"
    if base in ("bom.json", "sbom.json") or base.endswith(
        (".cdx.json", ".cyclonedx.json", ".sbom.json", ".bom.json")
    ):
        return "cyclonedx-json"
    return None


def _matches_cdx_xml(name: str, head: bytes) -> bool:
    base = _base(name)
    if not base.endswith(".xml") or base in _NOT_SBOM_NAMES:
        return False
    if base == "bom.xml" or base.endswith((".cdx.xml", ".cyclonedx.xml", ".bom.xml")):
        return True
    return _SNIFF_CDX_XML.search(head) is not None


def _matches_spdx_tv(name: str, head: bytes) -> bool:
    base = _base(name)
    if base.endswith(".spdx"):
        return True
    return base.endswith((".spdx.txt", ".spdx.tv", ".tv")) and bool(_SNIFF_SPDX_TV.search(head))


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser(
        "cyclonedx-json",
        lambda name, head: _json_kind(name, head) == "cyclonedx-json",
        parse_cyclonedx_json,
    ),
    DependencyParser(
        "spdx-json", lambda name, head: _json_kind(name, head) == "spdx-json", parse_spdx_json
    ),
    DependencyParser("cyclonedx-xml", _matches_cdx_xml, parse_cyclonedx_xml),
    DependencyParser("spdx-tag-value", _matches_spdx_tv, parse_spdx_tag_value),
)

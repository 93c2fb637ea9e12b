"""PHP dependency files: Composer's ``composer.lock``.

Format (``DependencyFile.kind``): ``composer-lock`` (detected by the exact name
``composer.lock``). ``packages`` have scope ``runtime``, ``packages-dev`` scope ``dev``; the
``require`` of each package gives the edges (a requirement a package satisfies through
``provide`` or ``replace`` points at that package). Platform requirements (``php``,
``ext-*``, ``lib-*``, ``composer-plugin-api``..., any name without a vendor) are skipped.

composer.lock does not record the root project's own requirements (only a hash of them), so
``direct`` is inferred: a package no other locked package requires must be a root
requirement (True, with an edge from the project); the others are unknown (None).

purls: ``pkg:composer/vendor/name@version``; packageurl lowercases vendor and name as the
purl spec's composer type requires. The version is kept exactly as Composer writes it in the
lock (``v6.10.0``, ``2.1.0``, ``dev-main``): the spec defines no normalisation for composer
versions, and that "pretty" version is what Packagist, CycloneDX's composer plugin and syft
use, so the purls match theirs. Line numbers: the line of the package's ``"name"`` key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, load_json
from pqcscan.collectors.code.deps.javascript import PackageSet, as_mapping
from pqcscan.collectors.code.model import CodeParseError, DependencyFile

__all__ = ["PARSERS", "composer_purl", "parse_composer_lock"]

_NAME = re.compile(r"^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$", re.I)
_NAME_LINE = re.compile(r'^\s*"name"\s*:\s*"([^"]*)"')
_MAX_VERSION = 128


def composer_purl(name: str, version: str | None = None) -> str | None:
    """``pkg:composer/vendor/name[@version]`` (lowercased), or None for a non-package name."""
    if len(name) > 256 or not _NAME.match(name):
        return None
    vendor, short = name.split("/", 1)
    try:
        return PackageURL(
            type="composer", namespace=vendor, name=short, version=version
        ).to_string()
    except ValueError:
        return None


def _name_lines(text: str) -> dict[str, int]:
    """First line of each ``"name": "vendor/package"`` in the file (lowercased names)."""
    result: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        match = _NAME_LINE.match(raw)
        if match:
            result.setdefault(match.group(1).lower(), number)
    return result


def parse_composer_lock(name: str, data: bytes) -> DependencyFile:
    """Read a ``composer.lock`` (Composer 1 and 2 write the same shape)."""
    doc = load_json(name, data)
    if not isinstance(doc, dict) or not ("packages" in doc or "packages-dev" in doc):
        raise CodeParseError(f"{name}: not a composer.lock (no packages array)")
    lines = _name_lines(decode_text(name, data))
    found = PackageSet()
    by_name: dict[str, str] = {}  # lowercased name, or a provided/replaced one -> purl
    requires: list[tuple[str, Mapping[str, Any]]] = []
    for section, scope in (("packages", "runtime"), ("packages-dev", "dev")):
        entries = doc.get(section)
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise CodeParseError(f"{name}: {section} must be an array")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise CodeParseError(f"{name}: {section}[{index}] must be an object")
            pkg = entry.get("name")
            version = entry.get("version")
            if not isinstance(pkg, str):
                raise CodeParseError(f"{name}: {section}[{index}] has no name")
            if not isinstance(version, str) or not version or len(version) > _MAX_VERSION:
                found.warn(f"{pkg[:80]}: no usable version")
                version = None
            purl = composer_purl(pkg, version)
            if purl is None:
                found.warn(f"{pkg[:80]!r} is not a vendor/package name; skipped")
                continue
            found.add(purl, "composer", pkg, version, scope=scope, line=lines.get(pkg.lower()))
            by_name.setdefault(pkg.lower(), purl)
            require = entry.get("require")
            if require == []:  # PHP's json_encode writes an empty map as []
                require = {}
            requires.append((purl, as_mapping(require, f"{pkg}: require", name)))
            for key in ("provide", "replace"):
                provided = entry.get(key)
                if isinstance(provided, dict):
                    for other in provided:
                        by_name.setdefault(str(other).lower(), purl)
    required: set[str] = set()
    for source, require in requires:
        for dep in require:
            if "/" not in dep:  # php, ext-*, lib-*, composer-plugin-api: the platform
                continue
            target = by_name.get(dep.lower())
            if target is not None and target != source:
                found.edge(source, target)
                required.add(target)
    for purl, entry in found.entries.items():
        if purl not in required:
            entry.direct = True
            found.edge("", purl)
    return found.result("composer-lock", None)


def _is_composer_lock(name: str, head: bytes) -> bool:
    return name == "composer.lock"


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("composer-lock", _is_composer_lock, parse_composer_lock),
)

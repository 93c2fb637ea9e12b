"""Ruby dependency files: Bundler's ``Gemfile.lock`` (also named ``gems.locked``).

Format (``DependencyFile.kind``): ``gemfile-lock``. The source sections (``GEM``, ``GIT``,
``PATH``, ``PLUGIN SOURCE``) list every locked gem under ``specs:`` at four spaces, each gem's
own dependencies at six (those give the edges); ``DEPENDENCIES`` lists what the Gemfile asks
for (direct, with the requirement as written; ``!`` marks a git/path source). ``PLATFORMS``,
``RUBY VERSION``, ``BUNDLED WITH``, ``CHECKSUMS`` and unknown sections are read past.

A platform-specific gem (``nokogiri (1.16.0-x86_64-linux)``) becomes
``pkg:gem/nokogiri@1.16.0?platform=x86_64-linux`` (the purl spec's gem ``platform``
qualifier); a dependency on a gem locked for several platforms points at every variant. A
gem from a ``GIT`` source carries ``vcs_url=git+<remote>@<revision>``. The gem a ``PATH``
source with ``remote: .`` provides is the project itself (a gem's own repository): it is the
``project`` (the first one, if several), not a package, and its runtime dependencies are
direct.

Gemfile.lock does not record Bundler groups, so ``scope`` is None. Line numbers are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text
from pqcscan.collectors.code.deps.javascript import PackageSet
from pqcscan.collectors.code.model import CodeParseError, DependencyFile

__all__ = ["PARSERS", "gem_purl", "parse_gemfile_lock"]

_SOURCES = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
_KNOWN = _SOURCES | {"PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"}
_HEADER = re.compile(r"^[A-Z][A-Z ]*$")
# Bundler's own shape (lockfile_parser.rb NAME_VERSION): name, then "(version[-platform])".
_SPEC = re.compile(r"^(?! )(\S+?)(?: \(([^-)]*)(?:-([^)]*))?\))?$")
_DEP = re.compile(r"^(?! )(\S+?)(?: \(([^)]*)\))?(!)?$")
_GEM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def gem_purl(
    name: str, version: str | None = None, platform: str | None = None, vcs_url: str | None = None
) -> str | None:
    """``pkg:gem/name[@version][?platform=...]``, or None for a name RubyGems would refuse."""
    if not _GEM_NAME.match(name):
        return None
    qualifiers: dict[str, str] = {}
    if platform and platform != "ruby":
        qualifiers["platform"] = platform
    if vcs_url:
        qualifiers["vcs_url"] = vcs_url
    try:
        return PackageURL(
            type="gem", name=name, version=version or None, qualifiers=qualifiers or None
        ).to_string()
    except ValueError:
        return None


@dataclass(slots=True)
class _Spec:
    name: str
    version: str | None
    platform: str | None
    line: int
    source: str  # the section: GEM, GIT, PATH...
    vcs_url: str | None
    remote: str | None
    deps: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class _Source:
    kind: str
    options: dict[str, str] = field(default_factory=dict)
    in_specs: bool = False


def _read(name: str, text: str) -> tuple[list[_Spec], list[tuple[str, str | None, int]], bool]:
    """The specs, the DEPENDENCIES entries (name, requirement, line) and whether any
    known section was seen."""
    specs: list[_Spec] = []
    direct: list[tuple[str, str | None, int]] = []
    section: str | None = None
    source: _Source | None = None
    known = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            if not _HEADER.match(line):
                raise CodeParseError(f"{name}: line {number}: expected a section name")
            section = line
            known = known or section in _KNOWN
            source = _Source(section) if section in _SOURCES else None
            continue
        body = line[indent:]
        if section is None:
            raise CodeParseError(f"{name}: line {number}: content before the first section")
        if source is not None:
            if indent == 2:
                if body == "specs:":
                    source.in_specs = True
                elif ": " in body and not source.in_specs:
                    key, value = body.split(": ", 1)
                    source.options[key] = value.strip()
                else:
                    raise CodeParseError(f"{name}: line {number}: unexpected {body[:60]!r}")
            elif indent == 4 and source.in_specs:
                match = _SPEC.match(body)
                if not match:
                    raise CodeParseError(f"{name}: line {number}: not a 'name (version)' spec")
                specs.append(
                    _Spec(
                        match.group(1),
                        match.group(2) or None,
                        match.group(3),
                        number,
                        source.kind,
                        _vcs_url(source),
                        source.options.get("remote"),
                    )
                )
            elif indent == 6 and source.in_specs and specs:
                match = _DEP.match(body)
                if not match:
                    raise CodeParseError(f"{name}: line {number}: not a dependency")
                specs[-1].deps.append((match.group(1), match.group(2)))
            else:
                raise CodeParseError(f"{name}: line {number}: unexpected indentation")
        elif section == "DEPENDENCIES" and indent == 2:
            match = _DEP.match(body)
            if not match:
                raise CodeParseError(f"{name}: line {number}: not a dependency")
            direct.append((match.group(1), match.group(2), number))
    return specs, direct, known


def _vcs_url(source: _Source) -> str | None:
    remote = source.options.get("remote")
    revision = source.options.get("revision")
    if source.kind != "GIT" or not remote:
        return None
    return f"git+{remote}@{revision}" if revision else f"git+{remote}"


def parse_gemfile_lock(name: str, data: bytes) -> DependencyFile:
    """Read a ``Gemfile.lock`` / ``gems.locked`` (Bundler 1 and 2)."""
    text = decode_text(name, data)
    specs, direct, known = _read(name, text)
    if not known:
        raise CodeParseError(f"{name}: not a Gemfile.lock (no GEM, DEPENDENCIES... section)")
    found = PackageSet()
    variants: dict[str, list[str]] = {}  # gem name -> purls (one per platform)
    project: _Spec | None = None
    sources: list[tuple[_Spec, str | None]] = []
    for spec in specs:
        if spec.source == "PATH" and spec.remote == ".":  # the project's own gem(s)
            project = project or spec
            sources.append((spec, ""))
            continue
        if not spec.version:
            found.warn(f"line {spec.line}: {spec.name[:80]}: no version")
        purl = gem_purl(spec.name, spec.version, spec.platform, spec.vcs_url)
        if purl is None:
            found.warn(f"line {spec.line}: {spec.name[:80]!r} is not a gem name; skipped")
            sources.append((spec, None))
            continue
        found.add(purl, "gem", spec.name, spec.version, direct=False, line=spec.line)
        if purl not in variants.setdefault(spec.name, []):
            variants[spec.name].append(purl)
        sources.append((spec, purl))
    for dep, requirement, _ in direct:
        for purl in variants.get(dep, ()):
            _make_direct(found, purl, requirement)
    for spec, source in sources:
        if source is None:
            continue
        for dep, requirement in spec.deps:
            for purl in variants.get(dep, ()):
                if source == "":
                    _make_direct(found, purl, requirement)
                else:
                    found.edge(source, purl)
    return found.result("gemfile-lock", project.name if project else None)


def _make_direct(found: PackageSet, purl: str, requirement: str | None) -> None:
    entry = found.entries[purl]
    entry.direct = True
    entry.requirement = entry.requirement or requirement
    found.edge("", purl)


_NAMES = frozenset({"Gemfile.lock", "gems.locked"})


def _is_gemfile_lock(name: str, head: bytes) -> bool:
    return name in _NAMES


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("gemfile-lock", _is_gemfile_lock, parse_gemfile_lock),
)

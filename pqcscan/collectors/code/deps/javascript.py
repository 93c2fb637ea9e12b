"""JavaScript dependency files: package.json and the lockfiles of npm, Yarn and pnpm.

Formats (``DependencyFile.kind``), detected by exact file name:

- ``package-json`` (``package.json``): ``dependencies`` (scope ``runtime``),
  ``devDependencies`` (``dev``), ``optionalDependencies`` (``optional``) and
  ``peerDependencies`` (``peer``); all direct. The range goes in ``requirement``; ``version``
  is set only for an exact version (``1.2.3``, ``=1.2.3``). ``npm:other@^1`` aliases name
  the real package. ``engines`` (Node itself) is not a package.
- ``package-lock`` (``package-lock.json``, ``npm-shrinkwrap.json``): lockfileVersion 2/3
  ``packages`` keyed by ``node_modules/...`` paths (nested ones included; workspace folders
  are projects, ``link`` entries point at them); the root entry ``""`` gives the direct
  dependencies; edges are resolved the way npm resolves nested ``node_modules``.
  lockfileVersion 1 nested ``dependencies`` with ``requires``: it does not record which
  packages are direct, so a top-level package nothing requires is direct (True), other
  top-level ones unknown (None), nested ones transitive (False).
- ``yarn-lock`` (``yarn.lock``): Yarn 1 text format and Yarn 2+ (Berry) YAML format. Yarn 1
  does not say what is direct (None); Berry's ``@workspace:`` entries are the projects and
  their dependencies are the direct ones.
- ``pnpm-lock`` (``pnpm-lock.yaml``): lockfileVersion 5.x (``/a/1.0.0_peer``), 6.x
  (``/a@1.0.0(peer)``) and 9.x (``a@1.0.0`` with ``snapshots``); ``importers`` or the root
  ``dependencies`` give the direct packages and their scope. YAML aliases are refused
  (pnpm never writes them; they are the way to a "billion laughs" blow-up).

A package installed several times at the same version is one :class:`Package` (direct if any
copy is direct). purls: ``pkg:npm/%40scope/name@1.2.3`` (built with packageurl). Line numbers
come from a cheap line scan (JSON) or are exact (yarn.lock); pnpm's are the line of the
package's key. Versions that are not registry versions (git URLs, ``file:`` paths) are left
out of the purl with a warning.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, load_json
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = [
    "PARSERS",
    "PackageSet",
    "decode_text",
    "load_json",
    "npm_purl",
    "parse_package_json",
    "parse_package_lock",
    "parse_pnpm_lock",
    "parse_yarn_lock",
]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50
#: Deepest ``node_modules`` nesting (npm) or ``dependencies`` nesting (lockfile v1) followed.
MAX_DEPTH = 128

_NPM_NAME = re.compile(r"^(?:@[^/@\s]+/)?[^/@\s][^/\s]*$")
_EXACT = re.compile(r"^=?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,127}$")


# --------------------------------------------------------------------------- shared helpers


def as_mapping(value: object, what: str, name: str) -> Mapping[str, Any]:
    """``value`` if it is an object/mapping (None -> empty), else CodeParseError."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CodeParseError(f"{name}: {what} must be an object")
    return value


def scalar(value: object) -> str | None:
    """A string, number or boolean as text (YAML reads ``1.0`` as a float); else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


@dataclass(slots=True)
class _Entry:
    purl: str
    ecosystem: str
    name: str
    version: str | None
    requirement: str | None = None
    direct: bool | None = None
    scope: str | None = None
    line: int | None = None


@dataclass(slots=True)
class PackageSet:
    """Collects packages (one per purl, merged), edges (deduplicated) and warnings."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    edges: dict[tuple[str, str], None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0

    def add(
        self,
        purl: str,
        ecosystem: str,
        name: str,
        version: str | None,
        *,
        requirement: str | None = None,
        direct: bool | None = None,
        scope: str | None = None,
        line: int | None = None,
    ) -> None:
        """Add a package, or merge what is new into the one with the same purl.

        Merging: direct if any copy is direct; scope ``runtime`` wins over the others; the
        first requirement and line seen are kept.
        """
        entry = self.entries.get(purl)
        if entry is None:
            self.entries[purl] = _Entry(
                purl, ecosystem, name, version, requirement, direct, scope, line
            )
            return
        if direct is True or (direct is False and entry.direct is None):
            entry.direct = direct
        if entry.scope is None or scope == "runtime":
            entry.scope = scope or entry.scope
        entry.requirement = entry.requirement or requirement
        entry.line = entry.line or line

    def edge(self, source: str, target: str) -> None:
        """A depends-on edge (``source`` is ``""`` for the project)."""
        if source != target:
            self.edges[(source, target)] = None

    def warn(self, text: str) -> None:
        """A warning, bounded by :data:`MAX_WARNINGS`."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        else:
            self.dropped += 1

    def result(self, kind: str, project: str | None) -> DependencyFile:
        """The finished :class:`DependencyFile`."""
        packages = tuple(
            Package(
                purl=e.purl,
                ecosystem=e.ecosystem,
                name=e.name,
                version=e.version,
                requirement=e.requirement,
                direct=e.direct,
                scope=e.scope,
                line=e.line,
            )
            for e in self.entries.values()
        )
        warnings = list(self.warnings)
        if self.dropped:
            warnings.append(f"{self.dropped} more warnings not shown")
        return DependencyFile(
            kind=kind,
            project=project,
            packages=packages,
            edges=tuple(self.edges),
            warnings=tuple(warnings),
        )


def npm_purl(name: str, version: str | None = None) -> str | None:
    """``pkg:npm/[%40scope/]name[@version]``, or None when ``name`` is not an npm name."""
    if not name or len(name) > 428 or not _NPM_NAME.match(name):
        return None
    namespace: str | None = None
    short = name
    if name.startswith("@"):
        namespace, short = name.split("/", 1)
    try:
        return PackageURL(type="npm", namespace=namespace, name=short, version=version).to_string()
    except ValueError:
        return None


def _split_spec(spec: str) -> tuple[str, str]:
    """``name@range`` -> (name, range); the scope's ``@`` is part of the name."""
    at = spec.find("@", 1)
    if at < 0:
        return spec, ""
    return spec[:at], spec[at + 1 :]


def _registry_version(version: str | None) -> str | None:
    """``version`` if it looks like a registry version (not a URL or path), else None."""
    if version and _VERSION.match(version):
        return version
    return None


class _NpmAdder:
    """Adds npm packages to a PackageSet, warning about names/versions it cannot use."""

    def __init__(self, found: PackageSet) -> None:
        self.found = found

    def add(
        self,
        name: str,
        version: str | None,
        *,
        requirement: str | None = None,
        direct: bool | None = None,
        scope: str | None = None,
        line: int | None = None,
    ) -> str | None:
        """Add the package; returns its purl (None, with a warning, for an unusable name)."""
        clean = _registry_version(version)
        if version and clean is None:
            where = f"line {line}: " if line else ""
            self.found.warn(
                f"{where}{name[:80]}: version {version[:80]!r} is not a registry version"
            )
        purl = npm_purl(name, clean)
        if purl is None:
            where = f"line {line}: " if line else ""
            self.found.warn(f"{where}{name[:80]!r} is not an npm package name; skipped")
            return None
        self.found.add(
            purl,
            "npm",
            name,
            clean,
            requirement=requirement,
            direct=direct,
            scope=scope,
            line=line,
        )
        return purl


#: A key at the start of a line (``"key":``), and one that opens an object (``"key": {``).
_JSON_KEY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:')
_JSON_KEY_OBJECT = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:\s*\{')


def _key_lines(text: str, pattern: re.Pattern[str] = _JSON_KEY) -> dict[str, list[int]]:
    """For each key ``pattern`` finds at the start of a line, the lines it is on, in order."""
    result: dict[str, list[int]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        match = pattern.match(raw)
        if match:
            result.setdefault(match.group(1), []).append(number)
    return result


# --------------------------------------------------------------------------- package.json

_PACKAGE_JSON_SECTIONS = (
    ("dependencies", "runtime"),
    ("devDependencies", "dev"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
)


def parse_package_json(name: str, data: bytes) -> DependencyFile:
    """Read a ``package.json`` manifest (see the module docstring)."""
    doc = load_json(name, data)
    if not isinstance(doc, dict):
        raise CodeParseError(f"{name}: package.json must be a JSON object")
    project = doc.get("name") if isinstance(doc.get("name"), str) else None
    key_lines = _key_lines(decode_text(name, data))
    found = PackageSet()
    adder = _NpmAdder(found)
    for section, scope in _PACKAGE_JSON_SECTIONS:
        deps = as_mapping(doc.get(section), section, name)
        start = (key_lines.get(section) or [0])[0]
        for dep, spec in deps.items():
            if not isinstance(spec, str):
                found.warn(f"{section}.{dep}: the requirement is not a string; skipped")
                continue
            candidates = key_lines.get(dep, [])
            at = bisect.bisect_left(candidates, start)
            line = candidates[at] if at < len(candidates) else None
            real, requirement = dep, spec
            if spec.startswith("npm:"):  # an alias: "npm:real-name@^1.0.0"
                real, requirement = _split_spec(spec[4:])
            exact = _EXACT.match(requirement)
            purl = adder.add(
                real,
                exact.group(1) if exact else None,
                requirement=requirement or None,
                direct=True,
                scope=scope,
                line=line,
            )
            if purl:
                found.edge("", purl)
    return found.result("package-json", project)


# --------------------------------------------------------------------------- package-lock.json

_LOCK_DEP_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies")
_ROOT_SECTIONS = (
    ("dependencies", "runtime"),
    ("devDependencies", "dev"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
)


def _lock_scope(entry: Mapping[str, Any]) -> str:
    if entry.get("dev") is True or entry.get("devOptional") is True:
        return "dev"
    if entry.get("optional") is True:
        return "optional"
    if entry.get("peer") is True:
        return "peer"
    return "runtime"


def parse_package_lock(name: str, data: bytes) -> DependencyFile:
    """Read ``package-lock.json`` / ``npm-shrinkwrap.json`` (lockfileVersion 1, 2 and 3)."""
    doc = load_json(name, data)
    if not isinstance(doc, dict):
        raise CodeParseError(f"{name}: a package-lock must be a JSON object")
    version = doc.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CodeParseError(f"{name}: not a package-lock (no numeric lockfileVersion)")
    project = doc.get("name") if isinstance(doc.get("name"), str) else None
    key_lines = _key_lines(decode_text(name, data), _JSON_KEY_OBJECT)
    found = PackageSet()
    if "packages" in doc:
        _lock_v2(name, as_mapping(doc["packages"], "packages", name), key_lines, found)
    else:
        deps = as_mapping(doc.get("dependencies"), "dependencies", name)
        _lock_v1(name, deps, key_lines, found)
    return found.result("package-lock", project)


def _npm_parent(path: str) -> str:
    """The install path a ``node_modules`` lookup falls back to after ``path``."""
    index = path.rfind("/node_modules/")
    return path[:index] if index >= 0 else ""


def _npm_resolve(packages: Mapping[str, Any], source: str, dep: str) -> str | None:
    """The ``packages`` key npm would load ``dep`` from when required at ``source``."""
    base = source
    for _ in range(MAX_DEPTH):
        candidate = f"{base}/node_modules/{dep}" if base else f"node_modules/{dep}"
        if candidate in packages:
            return candidate
        if not base:
            return None
        base = _npm_parent(base)
    return None


def _lock_v2(
    file: str,
    packages: Mapping[str, Any],
    key_lines: dict[str, list[int]],
    found: PackageSet,
) -> None:
    adder = _NpmAdder(found)
    purls: dict[str, str] = {}
    for key, raw in packages.items():
        if not isinstance(raw, dict):
            raise CodeParseError(f"{file}: packages[{key[:80]!r}] must be an object")
        if "node_modules/" not in key or raw.get("link") is True:
            continue  # the root, a workspace folder, or a link to one
        if key.count("/node_modules/") >= MAX_DEPTH:
            found.warn(f"{key[:80]}...: nested too deeply; skipped")
            continue
        pkg_name = raw.get("name")
        if not isinstance(pkg_name, str):
            pkg_name = key.rsplit("node_modules/", 1)[1]
        version = raw.get("version") if isinstance(raw.get("version"), str) else None
        lines = key_lines.get(key)
        purl = adder.add(
            pkg_name,
            version,
            direct=False,
            scope=_lock_scope(raw),
            line=lines[0] if lines else None,
        )
        if purl:
            purls[key] = purl
    for key, raw in packages.items():
        if "node_modules/" not in key:  # root or workspace folder: the project's own deps
            for section, scope in _ROOT_SECTIONS:
                deps = raw.get(section)
                if not isinstance(deps, dict):
                    continue
                for dep, spec in deps.items():
                    target = _npm_resolve(packages, key, dep)
                    purl = purls.get(target) if target else None
                    if purl is None:
                        continue
                    requirement = spec if isinstance(spec, str) else None
                    entry = found.entries[purl]
                    found.add(purl, "npm", entry.name, entry.version, direct=True)
                    if entry.requirement is None:
                        entry.requirement = requirement
                    if section != "dependencies" and entry.scope == "runtime":
                        entry.scope = scope
                    found.edge("", purl)
            continue
        source = purls.get(key)
        if source is None:
            continue
        for section in _LOCK_DEP_SECTIONS:
            deps = raw.get(section)
            if not isinstance(deps, dict):
                continue
            for dep in deps:
                target = _npm_resolve(packages, key, dep)
                purl = purls.get(target) if target else None
                if purl:
                    found.edge(source, purl)


@dataclass(slots=True)
class _V1Node:
    name: str
    entry: Mapping[str, Any]
    parent: int  # index of the enclosing node, -1 for the top level
    depth: int
    purl: str | None = None


def _lock_v1(
    file: str,
    top: Mapping[str, Any],
    key_lines: dict[str, list[int]],
    found: PackageSet,
) -> None:
    adder = _NpmAdder(found)
    nodes: list[_V1Node] = []
    children: dict[tuple[int, str], int] = {}  # (parent index, name) -> node index
    used: dict[str, int] = {}
    stack: list[tuple[str, Any, int, int]] = [
        (dep, entry, -1, 0) for dep, entry in reversed(list(top.items()))
    ]
    while stack:  # pre-order, document order: matches the order of the "name": { lines
        dep, entry, parent, depth = stack.pop()
        if not isinstance(entry, dict):
            raise CodeParseError(f"{file}: dependencies[{dep[:80]!r}] must be an object")
        occurrence = used.get(dep, 0)
        used[dep] = occurrence + 1
        candidates = key_lines.get(dep, [])
        line = candidates[occurrence] if occurrence < len(candidates) else None
        version = entry.get("version") if isinstance(entry.get("version"), str) else None
        real = dep
        if version and version.startswith("npm:"):  # an alias: "npm:real@1.0.0"
            real, version = _split_spec(version[4:])
        index = len(nodes)
        node = _V1Node(dep, entry, parent, depth)
        node.purl = adder.add(
            real, version, direct=None if parent < 0 else False, scope=_lock_scope(entry), line=line
        )
        nodes.append(node)
        children[(parent, dep)] = index
        nested = entry.get("dependencies")
        if isinstance(nested, dict) and nested:
            if depth + 1 >= MAX_DEPTH:
                found.warn(f"{dep[:80]}: dependencies nested too deeply; not followed")
                continue
            stack.extend((d, e, index, depth + 1) for d, e in reversed(list(nested.items())))
    required: set[int] = set()
    for index, node in enumerate(nodes):
        requires = node.entry.get("requires")
        if node.purl is None or not isinstance(requires, dict):
            continue
        for dep in requires:
            target = _v1_resolve(nodes, children, index, dep)
            if target is not None and nodes[target].purl:
                found.edge(node.purl, nodes[target].purl or "")
                required.add(target)
    for index, node in enumerate(nodes):
        if node.parent < 0 and index not in required and node.purl:
            found.add(node.purl, "npm", node.name, None, direct=True)
            found.edge("", node.purl)


def _v1_resolve(
    nodes: list[_V1Node], children: dict[tuple[int, str], int], index: int, dep: str
) -> int | None:
    """The node npm 6 loads ``dep`` from when node ``index`` requires it."""
    current = index
    while current >= 0:
        found = children.get((current, dep))
        if found is not None:
            return found
        current = nodes[current].parent
    return children.get((-1, dep))


# --------------------------------------------------------------------------- yarn.lock


@dataclass(slots=True)
class _YarnEntry:
    line: int
    specs: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    deps: list[tuple[str, str]] = field(default_factory=list)


_YARN_DEP_SECTIONS = frozenset({"dependencies", "optionalDependencies"})


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].replace('\\"', '"')
    return text


def _yarn_pair(content: str) -> tuple[str, str]:
    """``key value`` (Yarn 1) or ``key: value`` (Berry), keys and values maybe quoted."""
    if content.startswith('"'):
        end = 1
        while end < len(content) and content[end] != '"':
            end += 2 if content[end] == "\\" else 1
        key, rest = content[1:end], content[end + 1 :]
    else:
        match = re.match(r"^([^\s:]+(?::[^\s:]+)*)", content)
        key = match.group(1) if match else content
        rest = content[len(key) :]
    rest = rest.lstrip()
    if rest.startswith(":"):
        rest = rest[1:]
    return key, _unquote(rest)


def _yarn_entries(file: str, text: str) -> tuple[list[_YarnEntry], bool]:
    """The entries of a yarn.lock and whether it is a Berry (Yarn 2+) file."""
    entries: list[_YarnEntry] = []
    berry = False
    current: _YarnEntry | None = None
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if raw[indent : indent + 1] == "\t":
            raise CodeParseError(f"{file}: line {number}: tab indentation")
        if indent == 0:
            if not stripped.endswith(":"):
                raise CodeParseError(f"{file}: line {number}: expected an entry header 'x@y:'")
            header = stripped[:-1]
            section = None
            if header == "__metadata":
                berry = True
                current = None
                continue
            # Yarn 1 quotes each spec ("a@^1", "a@^2"), Berry the whole list ("a@npm:^1, ...")
            specs = [s for s in (x.strip().strip('"').strip() for x in header.split(",")) if s]
            if not specs:
                raise CodeParseError(f"{file}: line {number}: empty entry header")
            current = _YarnEntry(number, specs)
            entries.append(current)
        elif current is None:
            continue  # __metadata fields
        elif indent == 2:
            if stripped.endswith(":") and " " not in stripped:
                section = _unquote(stripped[:-1])
                continue
            section = None
            key, value = _yarn_pair(stripped)
            current.fields[key] = value
        elif indent == 4 and section in _YARN_DEP_SECTIONS:
            key, value = _yarn_pair(stripped)
            current.deps.append((key, value))
    return entries, berry


def parse_yarn_lock(name: str, data: bytes) -> DependencyFile:
    """Read a ``yarn.lock`` (Yarn 1 text format or Yarn 2+ "Berry" format)."""
    text = decode_text(name, data)
    entries, berry = _yarn_entries(name, text)
    found = PackageSet()
    adder = _NpmAdder(found)
    by_spec: dict[str, str] = {}
    purl_of: list[str | None] = []
    workspaces: set[int] = set()
    project: str | None = None
    for entry in entries:
        resolution = entry.fields.get("resolution", "")
        if berry and "@workspace:" in resolution:
            workspaces.add(len(purl_of))
            purl_of.append(None)
            if resolution.endswith("@workspace:."):
                project = _split_spec(resolution)[0]
            continue
        pkg_name, spec_range = _split_spec(resolution or entry.specs[0])
        if not resolution and spec_range.startswith("npm:"):  # Yarn 1 alias
            pkg_name = _split_spec(spec_range[4:])[0]
        version: str | None = entry.fields.get("version")
        if version is None:
            raise CodeParseError(f"{name}: line {entry.line}: entry without a version")
        if version == "0.0.0-use.local":  # Berry link:/portal: packages
            version = None
        purl = adder.add(pkg_name, version, direct=False if berry else None, line=entry.line)
        purl_of.append(purl)
        if purl:
            for spec in entry.specs:
                by_spec[spec] = purl

    def lookup(dep: str, spec: str) -> str | None:
        return by_spec.get(f"{dep}@{spec}") or by_spec.get(f"{dep}@npm:{spec}")

    for index, (entry, source) in enumerate(zip(entries, purl_of, strict=True)):
        if source is None and index not in workspaces:
            continue
        for dep, spec in entry.deps:
            target = lookup(dep, spec)
            if target is None:
                continue
            if source is None:  # a workspace: its dependencies are direct
                found.entries[target].direct = True
                if found.entries[target].requirement is None:
                    found.entries[target].requirement = spec.removeprefix("npm:")
                found.edge("", target)
            else:
                found.edge(source, target)
    return found.result("yarn-lock", project)


# --------------------------------------------------------------------------- pnpm-lock.yaml

_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Deeper YAML is refused before loading: the C loader builds nested values by C recursion,
#: and some 25,000 levels ("- " * 30000, 60 KB) overflow the stack and kill the process.
MAX_YAML_DEPTH = 1000
_YAML_FLOW = re.compile(r"[\[\]{}]")
_YAML_LEADING = re.compile(r"^[ \t?:-]*", re.MULTILINE)


def _yaml_depth_bound(text: str) -> int:
    """An upper bound of the nesting depth of a YAML text: the deepest bracket nesting plus
    the longest run of indentation and block indicators that starts a line."""
    depth = deepest = 0
    for m in _YAML_FLOW.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    leading = max((m.end() - m.start() for m in _YAML_LEADING.finditer(text)), default=0)
    return deepest + leading + 1


_PNPM_KEY_LINE = re.compile(r"""^  (?! )(['"]?)(.+?)\1:(?:\s*\{\})?\s*$""")
_PNPM_SECTIONS = (
    ("dependencies", "runtime"),
    ("devDependencies", "dev"),
    ("optionalDependencies", "optional"),
)


def load_yaml(name: str, text: str) -> Any:
    """Parse YAML safely; aliases (never written by pnpm), errors -> CodeParseError."""
    if _yaml_depth_bound(text) > MAX_YAML_DEPTH:
        raise CodeParseError(f"{name}: YAML nested too deeply")
    try:
        if "&" in text and "*" in text:  # an alias needs an anchor
            for event in yaml.parse(text, Loader=_YamlLoader):
                if isinstance(event, yaml.AliasEvent):
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise CodeParseError(f"{name}: line {line}: YAML aliases are not allowed")
        return yaml.load(text, Loader=_YamlLoader)  # a safe loader (C or Python)
    except CodeParseError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CodeParseError(f"{name}: {where}invalid YAML: {problem}") from None
    except RecursionError:
        raise CodeParseError(f"{name}: YAML nested too deeply") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise CodeParseError(f"{name}: invalid YAML value: {exc}") from None


def _pnpm_style(version: str) -> int:
    try:
        major = int(float(version.split(".")[0]))
    except (ValueError, OverflowError):  # "abc", "nan", "inf"
        return 9
    return 5 if major <= 5 else 6 if major < 9 else 9


def _strip_peers(key: str, style: int) -> str:
    index = key.find("(")
    if index > 0:
        key = key[:index]
    if style == 5:
        slash = key.rfind("/")
        under = key.find("_", slash + 1)
        if under > 0:
            key = key[:under]
    return key


def _pnpm_base(key: str, style: int) -> tuple[str, str | None]:
    """(name, version) of a pnpm package key, without its peer suffix."""
    key = _strip_peers(key, style).removeprefix("/")
    if style == 5:
        parts = key.split("/")
        count = 2 if key.startswith("@") else 1
        if len(parts) <= count:
            return key, None
        return "/".join(parts[:count]), "/".join(parts[count:])
    pkg, version = _split_spec(key)
    return pkg, version or None


def _pnpm_ref_key(dep: str, ref: str, style: int) -> str:
    """The ``packages`` key a dependency reference points at."""
    if style == 5:
        if ref.startswith("/") or (not ref[:1].isdigit() and "/" in ref):
            return ref
        return f"/{dep}/{ref}"
    if style == 6:
        if ref.startswith("/") or (not ref[:1].isdigit() and "/" in ref and "@" not in ref):
            return ref
        return f"/{dep}@{ref}"
    if not ref[:1].isdigit() and "@" in ref[1:]:
        return ref  # an alias: "string-width@4.2.3"
    return f"{dep}@{ref}"


def _pnpm_key_lines(text: str) -> dict[str, int]:
    """Line of each two-space-indented key under ``packages:`` (first) and ``snapshots:``."""
    result: dict[str, int] = {}
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        if raw[:1] not in ("", " ", "#"):
            section = raw.split(":", 1)[0]
            continue
        if section in ("packages", "snapshots"):
            match = _PNPM_KEY_LINE.match(raw)
            if match:
                result.setdefault(match.group(2), number)
    return result


def parse_pnpm_lock(name: str, data: bytes) -> DependencyFile:
    """Read a ``pnpm-lock.yaml`` (lockfileVersion 5.x, 6.x and 9.x)."""
    text = decode_text(name, data)
    doc = load_yaml(name, text)
    if not isinstance(doc, dict) or scalar(doc.get("lockfileVersion")) is None:
        raise CodeParseError(f"{name}: not a pnpm lockfile (no lockfileVersion)")
    style = _pnpm_style(scalar(doc["lockfileVersion"]) or "")
    key_lines = _pnpm_key_lines(text)
    found = PackageSet()
    adder = _NpmAdder(found)
    packages = as_mapping(doc.get("packages"), "packages", name)
    snapshots = as_mapping(doc.get("snapshots"), "snapshots", name)
    purls: dict[str, str] = {}

    def add_key(key: str, entry: Mapping[str, Any]) -> str | None:
        pkg, version = _pnpm_base(key, style)
        pkg = scalar(entry.get("name")) or pkg
        version = scalar(entry.get("version")) or version
        scope: str | None = None
        if entry.get("dev") is True:
            scope = "dev"
        elif entry.get("optional") is True:
            scope = "optional"
        elif entry.get("dev") is False:
            scope = "runtime"
        line = key_lines.get(key) or key_lines.get(_strip_peers(key, style))
        purl = adder.add(pkg, version, direct=False, scope=scope, line=line)
        if purl:
            purls[key] = purl
        return purl

    for key, raw in packages.items():
        key = scalar(key) or ""
        add_key(key, as_mapping(raw, f"packages[{key[:80]!r}]", name))
    for key, raw in snapshots.items():
        key = scalar(key) or ""
        as_mapping(raw, f"snapshots[{key[:80]!r}]", name)
        base = _strip_peers(key, style)
        if base in purls:
            purls[key] = purls[base]
        else:
            add_key(key, {})

    def resolve(dep: str, ref: object) -> str | None:
        text_ref = scalar(ref)
        if not text_ref or text_ref.startswith(("link:", "workspace:")):
            return None
        key = _pnpm_ref_key(dep, text_ref, style)
        return purls.get(key) or purls.get(_strip_peers(key, style))

    for importer in _pnpm_importers(name, doc):
        specifiers = as_mapping(importer.get("specifiers"), "specifiers", name)
        for section, scope in _PNPM_SECTIONS:
            for dep, value in as_mapping(importer.get(section), section, name).items():
                dep = scalar(dep) or ""
                ref: object = value
                spec = scalar(specifiers.get(dep))
                if isinstance(value, dict):
                    ref, spec = value.get("version"), scalar(value.get("specifier"))
                purl = resolve(dep, ref)
                text_ref = scalar(ref) or ""
                if purl is None and text_ref and not text_ref.startswith(("link:", "file:")):
                    pkg, version = _pnpm_base(_pnpm_ref_key(dep, text_ref, style), style)
                    purl = adder.add(pkg, version)
                if purl is None:
                    continue
                if spec and spec.startswith("npm:"):  # an alias: "npm:real-name@^1.0.0"
                    spec = _split_spec(spec[4:])[1] or None
                entry = found.entries[purl]
                entry.direct = True
                entry.requirement = entry.requirement or spec
                if entry.scope is None or (entry.scope == "dev" and scope == "runtime"):
                    entry.scope = scope
                found.edge("", purl)

    for key, raw in (snapshots if style == 9 else packages).items():
        source = purls.get(scalar(key) or "")
        if source is None or not isinstance(raw, dict):
            continue
        for section in ("dependencies", "optionalDependencies"):
            for dep, ref in as_mapping(raw.get(section), section, name).items():
                target = resolve(scalar(dep) or "", ref)
                if target:
                    found.edge(source, target)
    if style == 9:  # v9 records no dev flags: a package only dev roots reach is dev
        _scope_by_reach(found)
    return found.result("pnpm-lock", None)


def _scope_by_reach(found: PackageSet) -> None:
    """Give transitive packages without a scope the scope of the direct ones reaching them."""
    children: dict[str, list[str]] = {}
    for source, target in found.edges:
        children.setdefault(source, []).append(target)
    for wanted in ("runtime", "optional", "dev"):
        seen: set[str] = set()
        todo = [p for p in children.get("", []) if found.entries[p].scope == wanted]
        while todo:
            purl = todo.pop()
            if purl in seen:
                continue
            seen.add(purl)
            entry = found.entries[purl]
            if entry.scope is None:
                entry.scope = wanted
            todo.extend(children.get(purl, []))


def _pnpm_importers(name: str, doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The importers (projects) of a pnpm lockfile; the root one when there is no list."""
    importers = doc.get("importers")
    if importers is None:
        yield doc
        return
    for key, importer in as_mapping(importers, "importers", name).items():
        yield as_mapping(importer, f"importers[{str(key)[:80]!r}]", name)


# --------------------------------------------------------------------------- registration


def _named(*names: str) -> Callable[[str, bytes], bool]:
    wanted = frozenset(names)

    def matches(name: str, head: bytes) -> bool:
        return name in wanted

    return matches


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("package-json", _named("package.json"), parse_package_json),
    DependencyParser(
        "package-lock", _named("package-lock.json", "npm-shrinkwrap.json"), parse_package_lock
    ),
    DependencyParser("yarn-lock", _named("yarn.lock"), parse_yarn_lock),
    DependencyParser("pnpm-lock", _named("pnpm-lock.yaml"), parse_pnpm_lock),
)

"""Python dependency files: requirements, pyproject.toml and the lockfiles of pip-tools,
Poetry, Pipenv, uv and PEP 751 (``pylock.toml``).

Formats (``DependencyFile.kind``):

- ``requirements``: ``requirements*.txt``, ``*-requirements.txt``, ``constraints*.txt``,
  ``requirements*.in``, Rye's ``requirements*.lock`` and ``requirements/<x>.txt`` (only when
  the name given carries its folder: a bare ``dev.txt`` is not claimed).
  Continuation lines, comments, environment markers, extras and per-requirement options
  (``--hash``) are understood; ``-r``/``-c`` become ``includes``; a URL, VCS or ``-e``
  requirement that names its project (``#egg=`` or ``name @ url``) becomes a versionless
  ``pkg:pypi`` package, one that does not is a warning. pip-compile / ``uv pip compile``
  output (``# via`` comments) gives direct flags and edges; a hand-written file's packages
  are direct, a constraints file's are not known to be.
- ``pyproject``: PEP 621 ``project.dependencies`` (scope ``runtime``),
  ``optional-dependencies`` (``optional``), PEP 735 ``dependency-groups`` (the group name),
  ``build-system.requires`` (``build``) and Poetry's ``tool.poetry`` tables.
- ``poetry-lock``, ``pipfile-lock``, ``uv-lock``, ``pylock``: resolved versions and the edges
  each lockfile records; uv.lock also tells which packages are direct.

Every parser is pure (name, bytes) -> :class:`DependencyFile`; broken content raises
:class:`CodeParseError`. Line numbers come from a cheap line scan (TOML) or are exact
(requirements); JSON line numbers are the first line that names the package.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packageurl import PackageURL
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import decode_text, load_json, load_toml
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = [
    "PARSERS",
    "TomlLines",
    "parse_pipfile_lock",
    "parse_poetry_lock",
    "parse_pylock",
    "parse_pyproject",
    "parse_requirements",
    "parse_uv_lock",
    "pypi_purl",
]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50

_PEP503 = re.compile(r"[-_.]+")
_NAME_LINE = re.compile(r"""^\s*name\s*=\s*["']([^"']*)["']""")


# --------------------------------------------------------------------------- shared helpers


def normalise_pypi(name: str) -> str:
    """A PyPI project name normalised as PEP 503 and the purl spec say."""
    return _PEP503.sub("-", name).lower()


def pypi_purl(name: str, version: str | None = None) -> str:
    """``pkg:pypi/<normalised name>[@version]``; an empty name -> CodeParseError."""
    if not name.strip():
        raise CodeParseError("a package without a name")
    return PackageURL(type="pypi", name=normalise_pypi(name), version=version or None).to_string()


class TomlLines:
    """A one-pass index of a TOML file's lines, for cheap line numbers (no TOML parsing).

    It knows table headers, ``key =`` lines and quoted strings; lookups take the first hit
    at or after a section's header (and, for keys, before the next header).
    """

    _HEADER = re.compile(r"""^\s*\[\[?\s*([A-Za-z0-9_."' -]+?)\s*\]\]?\s*(?:#.*)?$""")
    _KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_.-]+)["']?\s*=""")
    _QUOTED = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'""")

    def __init__(self, text: str) -> None:
        self.headers: list[int] = []
        self._header_at: dict[str, int] = {}
        self._keys: dict[str, list[int]] = {}
        self._strings: dict[str, list[int]] = {}
        for index, raw in enumerate(text.splitlines()):
            header = self._HEADER.match(raw)
            if header is not None and "," not in raw:
                self.headers.append(index)
                name = re.sub(r"""\s*\.\s*""", ".", header.group(1)).replace('"', "")
                self._header_at.setdefault(name.replace("'", ""), index)
                continue
            key = self._KEY.match(raw)
            if key is not None:
                self._keys.setdefault(key.group(1), []).append(index)
            for match in self._QUOTED.finditer(raw):
                if match.group(1) is None:
                    value = match.group(2)
                else:  # the usual escapes in requirement strings: \" and \\
                    value = match.group(1).replace('\\"', '"').replace("\\\\", "\\")
                self._strings.setdefault(value, []).append(index)

    def section(self, header: str) -> int:
        """0-based index of the ``[header]`` line, or -1."""
        return self._header_at.get(header, -1)

    def string_line(self, value: str, section: int = -1) -> int | None:
        """1-based line of the first quoted ``value`` after the section header."""
        hits = self._strings.get(value, [])
        at = bisect_right(hits, section)
        return hits[at] + 1 if at < len(hits) else None

    def key_line(self, key: str, section: int) -> int | None:
        """1-based line of ``key = ...`` inside the section starting at index ``section``."""
        if section < 0:
            return None
        hits = self._keys.get(key, [])
        at = bisect_right(hits, section)
        if at == len(hits):
            return None
        following = bisect_right(self.headers, section)
        stop = self.headers[following] if following < len(self.headers) else None
        return hits[at] + 1 if stop is None or hits[at] < stop else None


def _array_table_name_lines(lines: Sequence[str], table: str, count: int) -> list[int | None]:
    """For each ``[[table]]`` entry, the line of its ``name = "..."`` key (a cheap scan).

    Gives ``None`` for all when the scan does not find exactly ``count`` headers (the array
    was written some other way, e.g. inline).
    """
    header = f"[[{table}]]"
    result: list[int | None] = []
    current: int | None = None
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        if stripped == header:
            if current is not None:
                result.append(current)
            current = -(index + 1)  # header line, until the name key is seen
        elif current is not None and current < 0:
            if stripped.startswith("["):
                result.append(-current)
                current = None
            elif _NAME_LINE.match(raw):
                current = index + 1
    if current is not None:
        result.append(abs(current))
    if len(result) != count:
        return [None] * count
    return list(result)


def _as_table(value: object, what: str, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CodeParseError(f"{name}: {what} must be a table/object")
    return value


def _as_list(value: object, what: str, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise CodeParseError(f"{name}: {what} must be an array")
    return value


def _opt_str(value: object, what: str, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CodeParseError(f"{name}: {what} must be a string")
    return value


class _Warnings:
    """Collects warnings, bounded by :data:`MAX_WARNINGS`."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, text: str) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(text)
        else:
            self.dropped += 1

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.items, f"{self.dropped} more warnings not shown")
        return tuple(self.items)


def _first_line(exc: Exception) -> str:
    """An exception's message, first line only (packaging adds a caret diagram)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _pinned_version(requirement: Requirement) -> str | None:
    """The version of an exact pin (``==1.2.3`` / ``===1.2.3``), else None."""
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


_REQ_PREFIX = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")


def _written_specifier(text: str) -> str | None:
    """The version specifier of a PEP 508 string as written (no spaces), or None."""
    body = text.split(";", 1)[0]
    rest = _REQ_PREFIX.sub("", body, count=1).strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    rest = "".join(rest.split())
    return rest or None


@dataclass(slots=True)
class _Pep508:
    """One PEP 508 requirement string read into the parts a Package needs."""

    name: str
    version: str | None
    requirement: str | None


def _read_pep508(text: str) -> _Pep508:
    """Parse a PEP 508 string; raises InvalidRequirement."""
    req = Requirement(text)
    if req.url:
        return _Pep508(req.name, None, req.url)
    return _Pep508(req.name, _pinned_version(req), _written_specifier(text))


# --------------------------------------------------------------------------- requirements

_REQ_NAME = re.compile(
    r"^(?:.*[-_.])?(?:requirements|constraints)(?:[-_.].*)?\.(?:txt|in|lock)$", re.I
)
_REQ_SCOPES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"dev", "develop", "development"}), "dev"),
    (frozenset({"test", "tests", "testing", "ci"}), "test"),
    (frozenset({"doc", "docs", "documentation"}), "docs"),
    (frozenset({"build"}), "build"),
    (frozenset({"lint", "linting", "typing", "mypy"}), "lint"),
)
#: Options that apply to the whole file and say nothing about dependencies.
_GLOBAL_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--trusted-host",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--only-binary",
        "--no-binary",
        "--use-feature",
        "-Z",
        "--always-unzip",
        "--no-deps",
    }
)
_INCLUDE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint"})
_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:git|hg|svn|bzr)\+|file:)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INLINE_VIA = re.compile(r"\s#\s*via\s+(.+)$")
_VIA_PROJECT = re.compile(r"\((?:pyproject\.toml|setup\.py|setup\.cfg)\)$")


def _is_requirements_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    base = parts[-1]
    if _REQ_NAME.match(base):
        return True
    return len(parts) > 1 and parts[-2].lower() == "requirements" and base.endswith(".txt")


def _requirements_scope(name: str) -> str | None:
    parts = name.replace("\\", "/").lower().split("/")
    words = set(re.split(r"[-_.]", parts[-1].rsplit(".", 1)[0]))
    if len(parts) > 1 and parts[-2] == "requirements":
        words |= {parts[-1].rsplit(".", 1)[0]}
    for keys, scope in _REQ_SCOPES:
        if words & keys:
            return scope
    return None


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, joined text) for each logical line (backslash continuations)."""
    start = 0
    parts: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        if raw.endswith("\\") and not raw.lstrip().startswith("#"):
            parts.append(raw[:-1])
            continue
        parts.append(raw)
        yield start, "".join(parts)
        parts = []
    if parts:
        yield start, "".join(parts)


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith("#"):
        return ""
    return re.sub(r"\s+#.*$", "", line).strip()


def _option_value(tokens: list[str]) -> tuple[str, str | None]:
    """(option, value) of an option line: ``-r x``, ``--requirement=x``, ``-rx``."""
    first = tokens[0]
    if first.startswith("--") and "=" in first:
        option, value = first.split("=", 1)
        return option, value
    if not first.startswith("--") and len(first) > 2:
        return first[:2], first[2:]
    return first, tokens[1] if len(tokens) > 1 else None


@dataclass(slots=True)
class _ReqEntry:
    name: str
    version: str | None
    requirement: str | None
    line: int
    via: list[str] = field(default_factory=list)


def _from_location(location: str) -> tuple[str, str | None] | None:
    """(name, version) of a URL/path requirement when it names its project, else None."""
    egg = _EGG.search(location)
    if egg:
        return egg.group(1), None
    base = location.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if base.endswith(".whl"):
            wheel_name, wheel_version, _, _ = parse_wheel_filename(base)
            return str(wheel_name), str(wheel_version)
        if base.endswith((".tar.gz", ".zip")):
            sdist_name, sdist_version = parse_sdist_filename(base)
            return str(sdist_name), str(sdist_version)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def parse_requirements(name: str, data: bytes) -> DependencyFile:
    """Parse a pip requirements or constraints file."""
    text = decode_text(name, data)
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    constraints = base.startswith("constraints") or "-constraints" in base
    warnings = _Warnings()
    includes: list[str] = []
    entries: list[_ReqEntry] = []
    invalid: list[int] = []
    in_via = False
    seen_via = False
    last: _ReqEntry | None = None  # the entry a following "# via" comment belongs to
    for number, logical in _logical_lines(text):
        stripped = logical.strip()
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if comment.startswith("via") and last and (comment == "via" or comment[3] == " "):
                seen_via = True
                rest = comment[3:].strip()
                if rest:
                    last.via.append(rest)
                    in_via = False
                else:
                    in_via = True
            elif in_via and last and comment and logical.lstrip().startswith("#   "):
                last.via.append(comment)
            else:
                in_via = False
            continue
        in_via = False
        last = None
        line = _strip_comment(logical)
        inline_via = _INLINE_VIA.search(logical)
        if not line:
            continue
        tokens = line.split()
        if tokens[0].startswith("-"):
            option, value = _option_value(tokens)
            if option in _INCLUDE_OPTIONS:
                if value:
                    includes.append(value)
                else:
                    warnings.add(f"line {number}: {option} without a file name")
                continue
            if option in _EDITABLE_OPTIONS:
                if not value:
                    warnings.add(f"line {number}: {option} without a location")
                    continue
                last = _location_entry(value, number, warnings, editable=True)
                if last is not None:
                    entries.append(last)
                continue
            if option in _GLOBAL_OPTIONS:
                continue
            warnings.add(f"line {number}: option {option} not understood, skipped")
            continue
        requirement_tokens: list[str] = []
        for token in tokens:
            if token.startswith("-"):
                break
            requirement_tokens.append(token)
        spec = " ".join(requirement_tokens)
        if _URL.match(spec) or spec.startswith((".", "/", "~")) or spec.endswith(".whl"):
            last = _location_entry(spec, number, warnings, editable=False)
            if last is not None:
                entries.append(last)
            continue
        try:
            parsed = _read_pep508(spec)
        except InvalidRequirement as exc:
            invalid.append(number)
            warnings.add(f"line {number}: not a requirement ({_first_line(exc)}), skipped")
            continue
        entry = _ReqEntry(parsed.name, parsed.version, parsed.requirement, number)
        if inline_via:  # pip-compile --annotation-style=line
            seen_via = True
            entry.via = [v.strip() for v in inline_via.group(1).split(",") if v.strip()]
        entries.append(entry)
        last = entry
    if invalid and not entries and not includes:
        raise CodeParseError(f"{name}: line {invalid[0]}: no valid requirement in the file")
    scope = _requirements_scope(name)
    return _requirements_result(entries, includes, warnings, seen_via, constraints, scope)


def _location_entry(
    location: str, number: int, warnings: _Warnings, *, editable: bool
) -> _ReqEntry | None:
    what = "editable requirement" if editable else "requirement"
    if "@" in location and not _URL.match(location):
        try:
            parsed = _read_pep508(location)
        except InvalidRequirement:
            pass
        else:
            return _ReqEntry(parsed.name, parsed.version, parsed.requirement, number)
    named = _from_location(location)
    if named is None:
        warnings.add(f"line {number}: {what} {location!r} does not name its project, skipped")
        return None
    project, version = named
    return _ReqEntry(project, version, location, number)


def _requirements_result(
    entries: list[_ReqEntry],
    includes: list[str],
    warnings: _Warnings,
    seen_via: bool,
    constraints: bool,
    scope: str | None,
) -> DependencyFile:
    purls = {normalise_pypi(e.name): pypi_purl(e.name, e.version) for e in entries}
    packages: list[Package] = []
    edges: list[tuple[str, str]] = []
    for entry in entries:
        purl = pypi_purl(entry.name, entry.version)
        direct: bool | None
        if seen_via:
            # direct: named by an input file or the project; transitive: pulled in by a
            # package of this file; else (a parent not in the file) the file does not say
            direct = None
            for source in entry.via:
                if source.startswith("-r ") or _VIA_PROJECT.search(source):
                    direct = True
                    edges.append(("", purl))
                else:
                    parent = purls.get(normalise_pypi(source.split()[0]))
                    if parent is not None:
                        direct = direct or False
                        edges.append((parent, purl))
        else:
            direct = None if constraints else True
        packages.append(
            Package(
                purl=purl,
                ecosystem="pypi",
                name=entry.name,
                version=entry.version,
                requirement=entry.requirement,
                direct=direct,
                scope=scope,
                line=entry.line,
            )
        )
    return DependencyFile(
        kind="requirements",
        project=None,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        includes=tuple(includes),
        warnings=warnings.result(),
    )


# --------------------------------------------------------------------------- pyproject.toml


class _Collector:
    """Packages of a manifest, deduplicated by (normalised name, scope)."""

    def __init__(self) -> None:
        self.packages: dict[tuple[str, str | None], Package] = {}

    def add(self, package: Package) -> None:
        key = (normalise_pypi(package.name), package.scope)
        self.packages.setdefault(key, package)


def _pep508_package(
    text: object,
    scope: str,
    lines: TomlLines,
    section: int,
    warnings: _Warnings,
    what: str,
) -> Package | None:
    if not isinstance(text, str):
        if isinstance(text, dict) and "include-group" in text:
            return None
        warnings.add(f"{what}: entry {text!r:.60} is not a requirement string, skipped")
        return None
    try:
        parsed = _read_pep508(text)
    except InvalidRequirement as exc:
        warnings.add(
            f"{what}: {text!r:.80} is not a valid requirement ({_first_line(exc)}), skipped"
        )
        return None
    line = lines.string_line(text, section)
    return Package(
        purl=pypi_purl(parsed.name, parsed.version),
        ecosystem="pypi",
        name=parsed.name,
        version=parsed.version,
        requirement=parsed.requirement,
        direct=True,
        scope=scope,
        line=line,
    )


_POETRY_EXACT = re.compile(r"^(?:==?)?\s*(\d+(?:\.\d+)*(?:[a-zA-Z0-9.+-]*))$")


def _poetry_package(
    dep_name: str,
    spec: object,
    scope: str,
    lines: TomlLines,
    section: int,
    warnings: _Warnings,
    what: str,
) -> Package | None:
    if not dep_name.strip():
        warnings.add(f"{what}: a dependency without a name, skipped")
        return None
    items = spec if isinstance(spec, list) else [spec]
    constraints: list[str] = []
    optional = False
    for item in items:
        if isinstance(item, str):
            constraints.append(item.strip())
        elif isinstance(item, dict):
            optional = optional or item.get("optional") is True
            for key in ("version", "git", "url", "path"):
                value = item.get(key)
                if isinstance(value, str):
                    constraints.append(value.strip() if key == "version" else f"{key}:{value}")
                    break
        else:
            warnings.add(f"{what}: {dep_name}: constraint {item!r:.60} not understood, skipped")
            return None
    requirement = " || ".join(dict.fromkeys(c for c in constraints if c)) or None
    version = None
    if requirement is not None and len(constraints) == 1:
        exact = _POETRY_EXACT.match(requirement)
        version = exact.group(1) if exact else None
    line = lines.key_line(dep_name, section)
    return Package(
        purl=pypi_purl(dep_name, version),
        ecosystem="pypi",
        name=dep_name,
        version=version,
        requirement=requirement,
        direct=True,
        scope="optional" if optional and scope == "runtime" else scope,
        line=line,
    )


def parse_pyproject(name: str, data: bytes) -> DependencyFile:
    """Parse ``pyproject.toml``: PEP 621, PEP 735, build-system and Poetry dependencies."""
    doc = load_toml(name, data)
    lines = TomlLines(decode_text(name, data))
    warnings = _Warnings()
    found = _Collector()
    project_name: str | None = None

    project = _as_table(doc.get("project", {}), "[project]", name)
    project_name = _opt_str(project.get("name"), "project.name", name)
    section = lines.section("project")
    for text in _as_list(project.get("dependencies", []), "project.dependencies", name):
        pkg = _pep508_package(text, "runtime", lines, section, warnings, "project.dependencies")
        if pkg:
            found.add(pkg)
    optional = _as_table(
        project.get("optional-dependencies", {}), "project.optional-dependencies", name
    )
    section = max(lines.section("project.optional-dependencies"), section)
    for extra, texts in optional.items():
        what = f"project.optional-dependencies.{extra}"
        for text in _as_list(texts, what, name):
            pkg = _pep508_package(text, "optional", lines, section, warnings, what)
            if pkg:
                found.add(pkg)

    groups = _as_table(doc.get("dependency-groups", {}), "[dependency-groups]", name)
    section = lines.section("dependency-groups")
    for group, texts in groups.items():
        what = f"dependency-groups.{group}"
        for text in _as_list(texts, what, name):
            pkg = _pep508_package(text, str(group), lines, section, warnings, what)
            if pkg:
                found.add(pkg)

    build = _as_table(doc.get("build-system", {}), "[build-system]", name)
    section = lines.section("build-system")
    for text in _as_list(build.get("requires", []), "build-system.requires", name):
        pkg = _pep508_package(text, "build", lines, section, warnings, "build-system.requires")
        if pkg:
            found.add(pkg)

    tool = _as_table(doc.get("tool", {}), "[tool]", name)
    poetry = _as_table(tool.get("poetry", {}), "[tool.poetry]", name)
    project_name = project_name or _opt_str(poetry.get("name"), "tool.poetry.name", name)
    tables: list[tuple[str, str, object]] = [
        ("tool.poetry.dependencies", "runtime", poetry.get("dependencies", {})),
        ("tool.poetry.dev-dependencies", "dev", poetry.get("dev-dependencies", {})),
    ]
    poetry_groups = _as_table(poetry.get("group", {}), "tool.poetry.group", name)
    for group, body in poetry_groups.items():
        body = _as_table(body, f"tool.poetry.group.{group}", name)
        header = f"tool.poetry.group.{group}.dependencies"
        tables.append((header, str(group), body.get("dependencies", {})))
    for header, scope, table in tables:
        deps = _as_table(table, header, name)
        section = lines.section(header)
        for dep_name, spec in deps.items():
            if normalise_pypi(dep_name) == "python":
                continue
            pkg = _poetry_package(dep_name, spec, scope, lines, section, warnings, header)
            if pkg:
                found.add(pkg)

    return DependencyFile(
        kind="pyproject",
        project=project_name,
        packages=tuple(found.packages.values()),
        warnings=warnings.result(),
    )


# --------------------------------------------------------------------------- lockfiles


@dataclass(slots=True)
class _Locked:
    """One locked package while a lockfile is read."""

    name: str
    version: str | None
    line: int | None
    scope: str | None = None
    deps: list[tuple[str, str | None]] = field(default_factory=list)  # (name, version)


class _Index:
    """Locked packages by normalised name (several versions may be locked)."""

    def __init__(self, locked: Iterable[_Locked]) -> None:
        self.by_name: dict[str, list[_Locked]] = {}
        for item in locked:
            self.by_name.setdefault(normalise_pypi(item.name), []).append(item)

    def get(self, dep_name: str, version: str | None = None) -> _Locked | None:
        candidates = self.by_name.get(normalise_pypi(dep_name), [])
        for item in candidates:
            if version is None or item.version == version:
                return item
        return None


def _lock_result(
    kind: str,
    locked: list[_Locked],
    *,
    project: str | None = None,
    direct: dict[int, tuple[str | None, str | None]] | None = None,
    roots: Sequence[_Locked] = (),
    warnings: _Warnings | None = None,
) -> DependencyFile:
    """Build the result of a lockfile; ``direct`` maps id(item) -> (scope, requirement)."""
    index = _Index([*locked, *roots])
    root_ids = {id(r) for r in roots}
    edges: list[tuple[str, str]] = []
    for item in (*roots, *locked):
        source = "" if id(item) in root_ids else pypi_purl(item.name, item.version)
        for dep_name, dep_version in item.deps:
            target = index.get(dep_name, dep_version)
            if target is not None and id(target) not in root_ids:
                edges.append((source, pypi_purl(target.name, target.version)))
    packages = []
    for item in locked:
        is_direct: bool | None = None
        scope, requirement = item.scope, None
        if direct is not None:
            is_direct = id(item) in direct
            if is_direct:
                scope, requirement = direct[id(item)]
        packages.append(
            Package(
                purl=pypi_purl(item.name, item.version),
                ecosystem="pypi",
                name=item.name,
                version=item.version,
                requirement=requirement,
                direct=is_direct,
                scope=scope,
                line=item.line,
            )
        )
    return DependencyFile(
        kind=kind,
        project=project,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        warnings=warnings.result() if warnings else (),
    )


def _package_array(doc: Mapping[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    items = _as_list(doc.get(key, []), f"[[{key}]]", name)
    return [_as_table(item, f"{key} entry {i + 1}", name) for i, item in enumerate(items)]


def _required_str(table: Mapping[str, Any], key: str, what: str, name: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise CodeParseError(f"{name}: {what}: {key} missing or not a string")
    return value


def parse_poetry_lock(name: str, data: bytes) -> DependencyFile:
    """Parse ``poetry.lock`` (lock-version 1.x and 2.x, Poetry 1.x and 2.x)."""
    doc = load_toml(name, data)
    lines = decode_text(name, data).splitlines()
    entries = _package_array(doc, "package", name)
    name_lines = _array_table_name_lines(lines, "package", len(entries))
    locked: list[_Locked] = []
    for number, (entry, line) in enumerate(zip(entries, name_lines, strict=True), 1):
        what = f"package {number}"
        item = _Locked(
            _required_str(entry, "name", what, name),
            _required_str(entry, "version", what, name),
            line,
        )
        groups = entry.get("groups")
        category = entry.get("category")
        if isinstance(groups, list) and groups:
            item.scope = "runtime" if "main" in groups else str(groups[0])
        elif isinstance(category, str):
            item.scope = "runtime" if category == "main" else category
        if entry.get("optional") is True and item.scope in (None, "runtime"):
            item.scope = "optional"
        deps = _as_table(entry.get("dependencies", {}), f"{what}: dependencies", name)
        item.deps = [(dep, None) for dep in deps]
        locked.append(item)
    return _lock_result("poetry-lock", locked)


_JSON_OBJECT_KEY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:\s*\{')


def _json_object_key_lines(text: str) -> dict[tuple[str | None, str], int]:
    """(section, key) -> 1-based line of each ``"key": {`` under ``"default"``/``"develop"``."""
    found: dict[tuple[str | None, str], int] = {}
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        match = _JSON_OBJECT_KEY.match(raw)
        if match is None:
            continue
        key = match.group(1)
        if key in ("_meta", "default", "develop"):
            section = key
        else:
            found.setdefault((section, key), number)
    return found


def parse_pipfile_lock(name: str, data: bytes) -> DependencyFile:
    """Parse ``Pipfile.lock`` (sections ``default`` -> runtime, ``develop`` -> dev)."""
    doc = load_json(name, data)
    if not isinstance(doc, dict) or not ({"_meta", "default", "develop"} & doc.keys()):
        raise CodeParseError(f"{name}: not a Pipfile.lock (no _meta/default/develop object)")
    lines = _json_object_key_lines(decode_text(name, data))
    warnings = _Warnings()
    locked: list[_Locked] = []
    for section, scope in (("default", "runtime"), ("develop", "dev")):
        table = _as_table(doc.get(section, {}), section, name)
        for dep_name, entry in table.items():
            entry = _as_table(entry, f"{section}.{dep_name}", name)
            if not dep_name.strip():
                raise CodeParseError(f"{name}: {section}: a package without a name")
            spec = _opt_str(entry.get("version"), f"{section}.{dep_name}.version", name)
            version = spec[2:].strip() if spec and spec.startswith("==") else None
            if version is None and not spec:
                vcs = next(
                    (k for k in ("git", "hg", "svn", "bzr", "file", "path") if k in entry), ""
                )
                if vcs:
                    warnings.add(f"{section}.{dep_name}: {vcs} source, version not locked")
            line = lines.get((section, dep_name))
            locked.append(_Locked(dep_name, version, line, scope))
    return _lock_result("pipfile-lock", locked, warnings=warnings)


def _dep_refs(value: object, what: str, name: str) -> list[tuple[str, str | None]]:
    refs = []
    for i, item in enumerate(_as_list(value, what, name)):
        ref = _as_table(item, f"{what} entry {i + 1}", name)
        refs.append(
            (
                _required_str(ref, "name", f"{what} entry {i + 1}", name),
                _opt_str(ref.get("version"), f"{what} entry {i + 1}: version", name),
            )
        )
    return refs


def parse_uv_lock(name: str, data: bytes) -> DependencyFile:
    """Parse ``uv.lock``: the editable/virtual packages are the project (its dependencies are
    the direct ones: runtime, ``optional`` for extras, the group name for dev groups)."""
    doc = load_toml(name, data)
    if "version" not in doc:
        raise CodeParseError(f"{name}: not a uv.lock (no top-level version)")
    lines = decode_text(name, data).splitlines()
    entries = _package_array(doc, "package", name)
    name_lines = _array_table_name_lines(lines, "package", len(entries))
    locked: list[_Locked] = []
    roots: list[_Locked] = []
    root_entries: list[tuple[_Locked, dict[str, Any]]] = []
    project: str | None = None
    for number, (entry, line) in enumerate(zip(entries, name_lines, strict=True), 1):
        what = f"package {number}"
        item = _Locked(
            _required_str(entry, "name", what, name),
            _opt_str(entry.get("version"), f"{what}: version", name),
            line,
        )
        item.deps = _dep_refs(entry.get("dependencies", []), f"{what}: dependencies", name)
        for key in ("optional-dependencies", "dev-dependencies"):
            for group, refs in _as_table(entry.get(key, {}), f"{what}: {key}", name).items():
                item.deps += _dep_refs(refs, f"{what}: {key}.{group}", name)
        source = entry.get("source", {})
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            roots.append(item)
            root_entries.append((item, entry))
            location = source.get("editable", source.get("virtual"))
            if location == "." or project is None:
                project = item.name
        else:
            locked.append(item)

    index = _Index(locked)
    direct: dict[int, tuple[str | None, str | None]] = {}
    for _root, entry in root_entries:
        specs = _uv_specifiers(entry, name)
        groups: list[tuple[str, object]] = [("runtime", entry.get("dependencies", []))]
        groups += [
            ("optional", v)
            for v in _as_table(entry.get("optional-dependencies", {}), "", name).values()
        ]
        groups += list(_as_table(entry.get("dev-dependencies", {}), "", name).items())
        for scope, refs in groups:
            for dep_name, dep_version in _dep_refs(refs, f"{_root.name} dependencies", name):
                target = index.get(dep_name, dep_version)
                if target is not None and id(target) not in direct:
                    direct[id(target)] = (scope, specs.get(normalise_pypi(dep_name)))
    return _lock_result("uv-lock", locked, project=project, direct=direct, roots=roots)


def _uv_specifiers(entry: Mapping[str, Any], name: str) -> dict[str, str]:
    """Normalised name -> specifier, from a root package's ``[package.metadata]``."""
    metadata = entry.get("metadata", {})
    if not isinstance(metadata, dict):
        return {}
    requires = metadata.get("requires-dist")
    refs: list[Any] = list(requires) if isinstance(requires, list) else []
    dev = metadata.get("requires-dev")
    if isinstance(dev, dict):
        for group in dev.values():
            if isinstance(group, list):
                refs += group
    specs: dict[str, str] = {}
    for ref in refs:
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            spec = ref.get("specifier")
            if isinstance(spec, str) and spec:
                specs.setdefault(normalise_pypi(ref["name"]), spec)
    return specs


def parse_pylock(name: str, data: bytes) -> DependencyFile:
    """Parse a PEP 751 lock file (``pylock.toml`` / ``pylock.<name>.toml``)."""
    doc = load_toml(name, data)
    if not isinstance(doc.get("lock-version"), str):
        raise CodeParseError(f"{name}: not a PEP 751 lock file (no lock-version)")
    lines = decode_text(name, data).splitlines()
    entries = _package_array(doc, "packages", name)
    name_lines = _array_table_name_lines(lines, "packages", len(entries))
    locked: list[_Locked] = []
    for number, (entry, line) in enumerate(zip(entries, name_lines, strict=True), 1):
        what = f"packages entry {number}"
        item = _Locked(
            _required_str(entry, "name", what, name),
            _opt_str(entry.get("version"), f"{what}: version", name),
            line,
        )
        item.deps = _dep_refs(entry.get("dependencies", []), f"{what}: dependencies", name)
        locked.append(item)
    return _lock_result("pylock", locked)


# --------------------------------------------------------------------------- detection


def _lower_base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _matches_pylock(name: str, _head: bytes) -> bool:
    base = _lower_base(name)
    return base == "pylock.toml" or (
        base.startswith("pylock.") and base.endswith(".toml") and base.count(".") == 2
    )


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser(
        "requirements", lambda name, _head: _is_requirements_name(name), parse_requirements
    ),
    DependencyParser(
        "pyproject", lambda name, _head: _lower_base(name) == "pyproject.toml", parse_pyproject
    ),
    DependencyParser(
        "poetry-lock", lambda name, _head: _lower_base(name) == "poetry.lock", parse_poetry_lock
    ),
    DependencyParser(
        "pipfile-lock",
        lambda name, _head: _lower_base(name) == "pipfile.lock",
        parse_pipfile_lock,
    ),
    DependencyParser("uv-lock", lambda name, _head: _lower_base(name) == "uv.lock", parse_uv_lock),
    DependencyParser("pylock", _matches_pylock, parse_pylock),
)

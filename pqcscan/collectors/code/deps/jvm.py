"""Java (JVM) dependency files: Maven ``pom.xml``, Gradle build scripts and Gradle lockfiles.

Formats (``DependencyFile.kind``):

- ``pom``: ``pom.xml`` with the Maven 4.0.0 namespace or none, read with defusedxml (a DTD,
  and so any entity trick, is refused). ``dependencies`` (also inside ``profiles``) are the
  direct packages; ``dependencyManagement`` supplies versions and scopes to versionless
  ones, and its own entries not used by the file are packages with ``direct=None`` (a
  parent POM's pins), except ``import``-scoped BOMs, which are direct. ``properties`` and
  ``${project.version}`` / ``${project.groupId}`` / ``${parent.version}``... are
  interpolated, a bounded number of rounds (self-referencing properties cannot loop). An
  unresolvable ``${...}`` or a version range leaves the version None with the text in
  ``requirement``. Scope is the declared one (default ``compile``); ``optional`` compile
  dependencies get scope ``optional``. The project is the ``artifactId``.
- ``gradle``: ``build.gradle`` (Groovy) and ``build.gradle.kts`` (Kotlin) and other
  ``*.gradle(.kts)`` scripts except settings: string notation (``implementation 'g:a:v'``,
  ``implementation("g:a:v")``), map notation (``group: 'g', name: 'a', version: 'v'`` and
  Kotlin's named arguments), ``platform(...)`` / ``enforcedPlatform(...)`` (scope
  ``import``, as a Maven BOM). Otherwise the configuration gives the scope: ``test*`` ->
  ``test``, ``compileOnly`` -> ``provided``, ``runtimeOnly`` -> ``runtime``,
  ``annotationProcessor``/``kapt``/``ksp``/``classpath`` -> ``build``, else ``compile``.
  ``$name`` / ``${name}`` in double-quoted strings are resolved from simple
  ``def``/``val``/``var``/``ext``/``extra`` assignments in the same file; version catalog
  references (``libs.x``) and unresolved variables are warnings. Comments are stripped
  first (not inside strings). Entries of ``constraints {}`` and (Spring's plugin)
  ``dependencyManagement {}`` blocks are versions, not dependencies: ``direct=None``, no
  edge, unless a versionless dependency of the file takes that version (then the entry is
  not listed again); ``mavenBom`` imports are direct with scope ``import``. A script is
  code: this is a scan of its text, not an evaluation.
- ``gradle-lockfile``: ``gradle.lockfile`` (``g:a:v=conf1,conf2``) and the older
  per-configuration ``gradle/dependency-locks/*.lockfile``; ``direct=None``; the scope is
  ``test`` when only test configurations hold the module, else ``runtime`` /
  ``provided`` (compile classpath only) / ``build``.

purls are ``pkg:maven/<group>/<artifact>@<version>``; names ``group:artifact``.
Parsers are pure; broken content raises :class:`CodeParseError`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from packageurl import PackageURL

from pqcscan.collectors.code.deps import DependencyParser
from pqcscan.collectors.code.deps._common import (
    MAX_ROUNDS,
    MAX_VALUE,
    decode_text,
    interpolate_bounded,
)
from pqcscan.collectors.code.model import CodeParseError, DependencyFile, Package

__all__ = [
    "PARSERS",
    "interpolate",
    "line_index",
    "load_xml",
    "local_name",
    "maven_purl",
    "nth",
    "parse_gradle",
    "parse_gradle_lockfile",
    "parse_pom",
    "strip_comments",
    "xml_lines",
]

#: At most this many warnings per file; the rest are counted in one last warning.
MAX_WARNINGS = 50
#: How far past a configuration name a dependency notation is looked for.
MAX_CALL = 600

MAVEN_NS = "http://maven.apache.org/POM/4.0.0"
_ARTIFACT_LINE = re.compile(r"<(?:[\w.-]+:)?artifactId>([^<]{1,300})</")
_PLACEHOLDER = re.compile(r"\$\{([^{}$]*)\}")


# --------------------------------------------------------------------------- shared


def maven_purl(group: str, artifact: str, version: str | None = None) -> str:
    """``pkg:maven/<group>/<artifact>[@version]``; an unusable name -> CodeParseError."""
    try:
        return PackageURL(
            type="maven", namespace=group or None, name=artifact, version=version or None
        ).to_string()
    except (ValueError, TypeError):
        raise CodeParseError(f"unusable Maven coordinates {group!r}:{artifact!r}") from None


def load_xml(name: str, data: bytes) -> Element:
    """The root element of an XML document; DTDs (entity bombs) and bad XML -> CodeParseError."""
    if not data.strip():
        raise CodeParseError(f"{name}: empty file")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CodeParseError(f"{name}: refused XML ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise CodeParseError(f"{name}: invalid XML: {exc}") from None
    except (RecursionError, ValueError, LookupError) as exc:  # LookupError: unknown encoding
        raise CodeParseError(f"{name}: unreadable XML: {type(exc).__name__}") from None
    if not isinstance(root, Element):
        raise CodeParseError(f"{name}: no XML document")
    return root


def xml_lines(data: bytes) -> list[str]:
    """An XML document's lines for line numbers only (UTF-16 by BOM, else lenient UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace").splitlines()
    return data.decode("utf-8", "replace").splitlines()


def local_name(tag: object) -> str:
    """An element's tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def line_index(lines: Sequence[str], pattern: re.Pattern[str]) -> dict[str, list[int]]:
    """One pass: ``pattern``'s groups (joined by a space, stripped, lower-cased) -> lines."""
    index: dict[str, list[int]] = {}
    for number, raw in enumerate(lines, 1):
        for match in pattern.finditer(raw):
            key = " ".join(g.strip() for g in match.groups()).lower()
            index.setdefault(key, []).append(number)
    return index


def nth(index: dict[str, list[int]], key: str, occurrence: int) -> int | None:
    """The ``occurrence``-th (0-based) line of ``key`` in a :func:`line_index`, or None."""
    found = index.get(key.strip().lower(), [])
    return found[occurrence] if occurrence < len(found) else None


def _cap(warnings: list[str]) -> tuple[str, ...]:
    if len(warnings) <= MAX_WARNINGS:
        return tuple(warnings)
    dropped = len(warnings) - MAX_WARNINGS
    return (*warnings[:MAX_WARNINGS], f"{dropped} more warnings not shown")


def _is_range(version: str) -> bool:
    return version[:1] in "[(" or "," in version


# --------------------------------------------------------------------------- pom.xml


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name) if element is not None else None
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def interpolate(text: str, properties: dict[str, str]) -> str | None:
    """``text`` with ``${...}`` replaced from ``properties``; None when one stays unresolved.

    Bounded: at most :data:`MAX_ROUNDS` rounds and :data:`MAX_VALUE` characters, so
    self-referencing or exponentially growing properties end as unresolved.
    """
    return interpolate_bounded(text, _PLACEHOLDER, lambda name: properties.get(name.strip()), "${")


@dataclass(slots=True)
class _Dep:
    group: str | None
    artifact: str | None
    version: str | None
    scope: str | None
    optional: bool
    element: Element
    managed: bool


def _deps(section: Element | None, managed: bool) -> list[_Dep]:
    return [
        _Dep(
            group=_text(dep, "groupId"),
            artifact=_text(dep, "artifactId"),
            version=_text(dep, "version"),
            scope=_text(dep, "scope"),
            optional=(_text(dep, "optional") or "").lower() == "true",
            element=dep,
            managed=managed,
        )
        for dep in _children(section, "dependency")
    ]


def _pom_properties(root: Element) -> dict[str, str]:
    parent = _child(root, "parent")
    props: dict[str, str] = {}
    section = _child(root, "properties")
    for element in list(section) if section is not None else []:
        key = local_name(element.tag)
        if key:
            props[key] = (element.text or "").strip()
    facts = {
        "groupId": _text(root, "groupId") or _text(parent, "groupId"),
        "artifactId": _text(root, "artifactId"),
        "version": _text(root, "version") or _text(parent, "version"),
    }
    for key, value in facts.items():
        if value is not None:
            props[f"project.{key}"] = value
            props[f"pom.{key}"] = value
    for key in ("groupId", "artifactId", "version"):
        value = _text(parent, key)
        if value is not None:
            props[f"parent.{key}"] = value
            props[f"project.parent.{key}"] = value
    return props


def parse_pom(name: str, data: bytes) -> DependencyFile:
    """Parse a Maven ``pom.xml``."""
    root = load_xml(name, data)
    if local_name(root.tag) != "project" or root.tag not in ("project", f"{{{MAVEN_NS}}}project"):
        raise CodeParseError(f"{name}: not a Maven POM (root element is {root.tag!r})")
    lines = xml_lines(data)
    props = _pom_properties(root)
    warnings: list[str] = []

    management = _child(root, "dependencyManagement")
    managed = _deps(_child(management, "dependencies") if management is not None else None, True)
    direct = _deps(_child(root, "dependencies"), False)
    for profile in _children(_child(root, "profiles"), "profile"):
        direct += _deps(_child(profile, "dependencies"), False)
        profile_mgmt = _child(profile, "dependencyManagement")
        if profile_mgmt is not None:
            managed += _deps(_child(profile_mgmt, "dependencies"), True)

    def resolved(value: str | None) -> str | None:
        found = None if value is None else interpolate(value, props)
        return None if found is None else found.strip()

    managed_by_key: dict[tuple[str | None, str | None], _Dep] = {}
    for dep in managed:
        managed_by_key.setdefault((resolved(dep.group), resolved(dep.artifact)), dep)

    # The line of each dependency: the k-th <artifactId> line with its text.
    occurrence: dict[int, int] = {}
    counts: dict[str, int] = {}
    for element in root.iter():
        if local_name(element.tag) == "artifactId":
            text_key = (element.text or "").strip().lower()
            occurrence[id(element)] = counts.get(text_key, 0)
            counts[text_key] = counts.get(text_key, 0) + 1
    artifact_lines = line_index(lines, _ARTIFACT_LINE)

    def line_of(dep: _Dep) -> int | None:
        artifact_element = _child(dep.element, "artifactId")
        if artifact_element is None or dep.artifact is None:
            return None
        return nth(artifact_lines, dep.artifact, occurrence.get(id(artifact_element), 0))

    packages: list[Package] = []
    edges: list[tuple[str, str]] = []
    used: set[tuple[str | None, str | None]] = set()

    def add(dep: _Dep, is_direct: bool | None) -> None:
        line = line_of(dep)
        where = f"line {line}: " if line else ""
        group, artifact = resolved(dep.group), resolved(dep.artifact)
        if not artifact:
            warnings.append(f"{where}a dependency without a usable artifactId was skipped")
            return
        if group is None:
            warnings.append(f"{where}{artifact}: no groupId, skipped")
            return
        key = (group, artifact)
        raw_version, scope = dep.version, dep.scope
        if not dep.managed:
            used.add(key)
            mgmt = managed_by_key.get(key)
            if mgmt is not None:
                raw_version = raw_version or mgmt.version
                scope = scope or mgmt.scope
        version = resolved(raw_version)
        requirement = version if version is not None else raw_version
        if raw_version is not None and version is None:
            warnings.append(f"{where}{group}:{artifact}: version {raw_version} not resolved")
        if version is not None and _is_range(version):
            version = None
        if raw_version is None and not dep.managed:
            warnings.append(f"{where}{group}:{artifact}: no version (managed by a parent POM?)")
        scope = resolved(scope) if scope else None
        if scope is None and not dep.managed:
            scope = "compile"
        if dep.optional and scope == "compile":
            scope = "optional"
        package = Package(
            purl=maven_purl(group, artifact, version),
            ecosystem="maven",
            name=f"{group}:{artifact}",
            version=version,
            requirement=requirement,
            direct=is_direct,
            scope=scope,
            line=line,
        )
        packages.append(package)
        if is_direct:
            edges.append(("", package.purl))

    for dep in direct:
        add(dep, True)
    for dep in managed:
        key = (resolved(dep.group), resolved(dep.artifact))
        if (dep.scope or "").strip() == "import":
            add(dep, True)
        elif key not in used:
            add(dep, None)
    return DependencyFile(
        kind="pom",
        project=resolved(_text(root, "artifactId") or "") or None,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(edges)),
        warnings=_cap(warnings),
    )


# --------------------------------------------------------------------------- Gradle


def strip_comments(name: str, text: str) -> str:
    """``text`` with ``//`` and ``/* */`` comments blanked (newlines kept), strings untouched.

    Knows single, double and triple-quoted strings; a single-quoted string ends at the end
    of its line. An unterminated block comment or triple-quoted string -> CodeParseError.
    """
    out: list[str] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char == "/" and text.startswith("//", pos):
            end = text.find("\n", pos)
            end = size if end < 0 else end
            out.append(" " * (end - pos))
            pos = end
        elif char == "/" and text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                line = text.count("\n", 0, pos) + 1
                raise CodeParseError(f"{name}: line {line}: unterminated /* comment")
            body = text[pos : end + 2]
            out.append(re.sub(r"[^\n]", " ", body))
            pos = end + 2
        elif char in "'\"":
            triple = char * 3
            if text.startswith(triple, pos):
                end = text.find(triple, pos + 3)
                if end < 0:
                    line = text.count("\n", 0, pos) + 1
                    raise CodeParseError(f"{name}: line {line}: unterminated {triple} string")
                end += 3
            else:
                single = _STRING[char].match(text, pos)
                end = single.end() if single else pos + 1
            out.append(text[pos:end])
            pos = end
        else:
            special = _SPECIAL.search(text, pos + 1)
            nxt = special.start() if special else size
            out.append(text[pos:nxt])
            pos = nxt
    return "".join(out)


_SPECIAL = re.compile(r"[/'\"]")
#: A one-line string literal (it ends at its quote or at the end of the line).
_STRING = {
    "'": re.compile(r"'(?:[^'\\\n]|\\.)*'?"),
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*"?'),
}
_CONFIG_BASES = {
    "implementation": "compile",
    "api": "compile",
    "compile": "compile",
    "compileOnlyApi": "provided",
    "compileOnly": "provided",
    "runtimeOnly": "runtime",
    "runtime": "runtime",
    "annotationProcessor": "build",
    "kapt": "build",
    "ksp": "build",
    "classpath": "build",
    "developmentOnly": "dev",
    "mavenBom": "import",  # io.spring.dependency-management: imports { mavenBom '...' }
    "dependency": "compile",  # io.spring.dependency-management: a managed version
}
#: A statement that starts with a (possible) configuration name: ``implementation '...'``.
_CONFIG = re.compile(
    r"(?:^|[{;])[ \t]*([a-z][A-Za-z0-9_]{0,80})(?![\w])[ \t]*(?:\([ \t\r\n]*)?", re.M
)
_COORD = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
_QUOTED = re.compile(r"""(['"])([^'"\n]{1,300})\1""")
_PLATFORM = re.compile(r"(?:platform|enforcedPlatform)[ \t]*\([ \t\r\n]*")
_NAMED_ARG = re.compile(r"""\b(group|name|version)[ \t]*[:=][ \t]*(['"])([^'"\n]{0,300})\2""")
_BARE_VERSION = re.compile(r"\bversion[ \t]*[:=][ \t]*([A-Za-z_][\w.]{0,200})")
_CATALOG = re.compile(r"libs\.[A-Za-z0-9_.]{1,200}")
_VARIABLE = re.compile(r"\$(?:\{[ \t]*([\w.]{1,200})[ \t]*\}|([A-Za-z_]\w{0,100}))")
_ASSIGNMENTS = (
    re.compile(
        r"""^[ \t]*(?:(?:def|val|var)[ \t]+|(?:project\.|rootProject\.)?(?:ext|extra)\.)?"""
        r"""(\w{1,100})[ \t]*(?::[ \t]*String[ \t]*)?=[ \t]*(['"])([^'"\n]{0,300})\2""",
        re.MULTILINE,
    ),
    re.compile(
        r"""\b(?:extra|ext)\[[ \t]*['"](\w{1,100})['"][ \t]*\][ \t]*=[ \t]*(['"])"""
        r"""([^'"\n]{0,300})\2"""
    ),
    re.compile(
        r"""\b(?:extra|ext)\.set\([ \t]*['"](\w{1,100})['"][ \t]*,[ \t]*(['"])"""
        r"""([^'"\n]{0,300})\2"""
    ),
    re.compile(r"""\bval[ \t]+(\w{1,100})[ \t]+by[ \t]+extra\([ \t]*(['"])([^'"\n]{0,300})\2"""),
)


def _gradle_scope(config: str) -> str | None:
    """The scope of a Gradle configuration name, or None if it is not a dependency one."""
    if config in _CONFIG_BASES:
        return _CONFIG_BASES[config]
    for base, scope in _CONFIG_BASES.items():
        suffix = base[0].upper() + base[1:]
        if config.endswith(suffix) and len(config) > len(suffix):
            prefix = config[: -len(suffix)]
            return "test" if "test" in prefix.lower() else scope
    return None


_MANAGED_BLOCK = re.compile(r"\b(?:constraints|dependencyManagement)[ \t]*\{")
_BRACE = re.compile(r"[{}]")


def _managed_spans(code: str) -> list[tuple[int, int]]:
    """Disjoint ``(start, end)`` offsets of ``constraints {}`` / ``dependencyManagement {}``
    blocks (one pass of brace matching; an unclosed block runs to the end)."""
    starts = {m.end() - 1 for m in _MANAGED_BLOCK.finditer(code)}
    if not starts:
        return []
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for brace in _BRACE.finditer(code):
        if brace.group() == "{":
            stack.append(brace.start())
        elif stack:
            opening = stack.pop()
            if opening in starts:
                spans.append((opening, brace.start()))
    spans += [(opening, len(code)) for opening in stack if opening in starts]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    index = bisect.bisect_right(starts, pos) - 1
    return index >= 0 and spans[index][0] < pos < spans[index][1]


def _gradle_variables(text: str) -> dict[str, str]:
    variables: dict[str, str] = {}
    for pattern in _ASSIGNMENTS:
        for match in pattern.finditer(text):
            variables.setdefault(match.group(1), match.group(3))
    return variables


def _expand(value: str, quote: str, variables: dict[str, str]) -> tuple[str, bool]:
    """A string literal's value with ``$x``/``${x}`` resolved (double quotes only)."""
    if quote != '"' or "$" not in value:
        return value, True
    complete = True
    for _round in range(MAX_ROUNDS):
        if "$" not in value:
            break
        missing = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal missing
            ref = match.group(1) or match.group(2)
            found = variables.get(ref)
            if found is None:
                found = variables.get(ref.rsplit(".", 1)[-1])
            if found is None:
                missing = True
                return match.group()
            return found

        value = _VARIABLE.sub(substitute, value)
        if missing or len(value) > MAX_VALUE:
            complete = False
            break
    else:
        complete = "$" not in value
    return value, complete


def _iter_calls(code: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each ``<configuration> ...`` call start and its dependency-configuration scope."""
    for match in _CONFIG.finditer(code):
        scope = _gradle_scope(match.group(1))
        if scope is not None:
            yield match, scope


def parse_gradle(name: str, data: bytes) -> DependencyFile:
    """Parse a Gradle build script (Groovy or Kotlin DSL) by scanning its text."""
    text = decode_text(name, data)
    code = strip_comments(name, text)
    variables = _gradle_variables(code)
    newlines = [m.start() for m in re.finditer("\n", code)]
    spans = _managed_spans(code)
    span_starts = [start for start, _end in spans]
    packages: list[Package] = []
    warnings: list[str] = []
    for match, scope in _iter_calls(code):
        pos = match.end()
        line = bisect.bisect_right(newlines, match.start()) + 1
        platform = _PLATFORM.match(code, pos)
        if platform:
            pos = platform.end()
        # A constraint or managed version is not a dependency; a BOM import is.
        managed = scope != "import" and _inside(spans, span_starts, match.start())
        catalog = _CATALOG.match(code, pos)
        if catalog:
            warnings.append(
                f"line {line}: version catalog reference {catalog.group()} not resolved "
                "(see gradle/libs.versions.toml)"
            )
            continue
        eol = code.find("\n", pos, pos + MAX_CALL)
        rest = code[pos : eol if eol >= 0 else pos + MAX_CALL]
        named = {m.group(1): (m.group(3), m.group(2)) for m in _NAMED_ARG.finditer(rest)}
        quoted = _QUOTED.match(code, pos)
        if "name" in named and "group" in named:
            group = _expand(*named["group"], variables)
            artifact = _expand(*named["name"], variables)
            raw = named.get("version")
            bare = _BARE_VERSION.search(rest)
            if raw is None and bare:  # version: bcVersion (a variable, no quotes)
                raw = ("${" + bare.group(1) + "}", '"')
            version_text, version_ok = _expand(raw[0], raw[1], variables) if raw else (None, True)
            coords: list[str] = [group[0], artifact[0]]
            if not (group[1] and artifact[1]):
                warnings.append(f"line {line}: unresolved variable in {group[0]}:{artifact[0]}")
                continue
        elif quoted:
            value, complete = _expand(quoted.group(2), quoted.group(1), variables)
            coords = value.split(":")
            if len(coords) < 2 or not coords[0] or not coords[1]:
                continue  # a file name, a project path or some other string
            version_text = coords[2] if len(coords) > 2 and coords[2] else None
            version_ok = complete
            if not complete and "$" in ":".join(coords[:2]):
                warnings.append(f"line {line}: unresolved variable in {value}")
                continue
        else:
            continue
        group_id, artifact_id = coords[0].strip(), coords[1].strip().split("@", 1)[0]
        if not (_COORD.match(group_id) and _COORD.match(artifact_id)):
            continue  # not a dependency notation
        requirement = version_text.split("@", 1)[0] if version_text else None
        version: str | None = requirement
        if requirement is not None and (not version_ok or "$" in requirement):
            warnings.append(
                f"line {line}: {group_id}:{artifact_id}: version {requirement} not resolved"
            )
            version = None
        if version is not None:
            version = version.removesuffix("!!")
            if _is_range(version) or "+" in version or version.startswith("latest."):
                version = None
        package = Package(
            purl=maven_purl(group_id, artifact_id, version),
            ecosystem="maven",
            name=f"{group_id}:{artifact_id}",
            version=version,
            requirement=requirement,
            direct=None if managed else True,
            scope="import" if platform else scope,
            line=line,
        )
        packages.append(package)
    packages = _apply_managed(packages)
    return DependencyFile(
        kind="gradle",
        project=None,
        packages=tuple(packages),
        edges=tuple(dict.fromkeys(("", p.purl) for p in packages if p.direct)),
        warnings=_cap(warnings),
    )


def _apply_managed(packages: list[Package]) -> list[Package]:
    """Versionless dependencies take the version of a managed entry (constraint) for the
    same module; the managed entries so used are dropped, as in a POM."""
    managed = {p.name: p for p in packages if p.direct is None and p.version}
    used: set[str] = set()
    result: list[Package] = []
    for package in packages:
        pin = managed.get(package.name)
        if package.direct and package.requirement is None and pin is not None:
            used.add(package.name)
            package = replace(
                package, purl=pin.purl, version=pin.version, requirement=pin.requirement
            )
        result.append(package)
    return [p for p in result if not (p.direct is None and p.name in used)]


# --------------------------------------------------------------------------- gradle.lockfile


def _lock_scope(configurations: Sequence[str]) -> str | None:
    if not configurations:
        return None
    plain = [c for c in configurations if "test" not in c.lower()]
    if not plain:
        return "test"
    if any(c.endswith("untimeClasspath") for c in plain):
        return "runtime"
    if any(c.endswith("ompileClasspath") for c in plain):
        return "provided"
    return "build"


def parse_gradle_lockfile(name: str, data: bytes) -> DependencyFile:
    """Parse a Gradle dependency lockfile."""
    text = decode_text(name, data)
    packages: dict[str, Package] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        coords, _, confs = line.partition("=")
        if coords == "empty":
            continue
        parts = coords.split(":")
        if len(parts) != 3 or not all(parts) or any(c.isspace() for c in coords):
            raise CodeParseError(f"{name}: line {number}: expected 'group:artifact:version'")
        configurations = [c.strip() for c in confs.split(",") if c.strip()]
        group, artifact, version = parts
        purl = maven_purl(group, artifact, version)
        packages.setdefault(
            purl,
            Package(
                purl=purl,
                ecosystem="maven",
                name=f"{group}:{artifact}",
                version=version,
                scope=_lock_scope(configurations),
                line=number,
            ),
        )
    return DependencyFile(kind="gradle-lockfile", project=None, packages=tuple(packages.values()))


# --------------------------------------------------------------------------- detection


def _parts(name: str) -> list[str]:
    return name.replace("\\", "/").split("/")


def _is_gradle_script(name: str, _head: bytes) -> bool:
    base = _parts(name)[-1]
    if not base.endswith((".gradle", ".gradle.kts")):
        return False
    return not base.startswith(("settings.gradle", "init.gradle"))


def _is_gradle_lock(name: str, _head: bytes) -> bool:
    parts = _parts(name)
    base = parts[-1]
    if base == "gradle.lockfile" or base.endswith("-gradle.lockfile"):
        return True
    return base.endswith(".lockfile") and len(parts) >= 2 and parts[-2] == "dependency-locks"


PARSERS: tuple[DependencyParser, ...] = (
    DependencyParser("pom", lambda name, _head: _parts(name)[-1] == "pom.xml", parse_pom),
    DependencyParser("gradle", _is_gradle_script, parse_gradle),
    DependencyParser("gradle-lockfile", _is_gradle_lock, parse_gradle_lockfile),
)

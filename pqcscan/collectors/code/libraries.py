"""Crypto-library knowledge: which packages are cryptography, and from which version they do PQC.

The knowledge is data, one file per package ecosystem in ``rules/packages/<ecosystem>.yaml``
(validated by ``rules/schema/packages.schema.json``). For each library it states the package
names that mean it, its role (``library`` implements cryptography, ``wrapper`` binds a native
library, ``protocol`` implements TLS/SSH/JOSE on top of cryptography, ``pqc`` is a post-quantum
implementation), the public-key (and notable broken) algorithms it offers, and the first
version with standardised PQC (ML-KEM, ML-DSA, SLH-DSA, X25519MLKEM768), with a source.

The code collector calls :func:`package_findings` for every dependency a manifest names: a
known library yields one finding per algorithm it provides and, when the resolved version is
known to have PQC, one per PQC algorithm. Version comparison never guesses: a version that
cannot be read, or a library whose first PQC version is not known, gives "unknown" (None).

Limits: the knowledge says what a library *offers*, not what the project *uses*; the source
detectors find the calls. Wrappers (``binds``) report the native library's capability only as
a note, since the linked native version is not in the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

from packaging.version import InvalidVersion, Version

from pqcscan.catalog import Primitive, get_catalog
from pqcscan.catalog.loader import rules_root, validate
from pqcscan.collectors.code.model import Package
from pqcscan.errors import RuleError
from pqcscan.results import (
    AssetKey,
    AssetType,
    Details,
    DetailValue,
    Evidence,
    Finding,
    Usage,
)

__all__ = [
    "ALL",
    "ECOSYSTEMS",
    "UNKNOWN",
    "CryptoLibrary",
    "compare_versions",
    "libraries",
    "library_for",
    "load_libraries",
    "normalise_name",
    "package_findings",
    "parse_version",
    "pqc_capable",
]

#: The ecosystems (purl types) with a knowledge file, in file order.
ECOSYSTEMS = ("pypi", "npm", "maven", "golang", "cargo", "nuget", "composer", "gem", "generic")
#: ``pqc.since`` values that are not versions.
ALL = "all"  # every version has PQC (a package that is only ML-KEM, for instance)
UNKNOWN = "unknown"  # some version has PQC; which one first is not known

_SCHEMA = "packages.schema.json"
_COLLECTOR = "code"


@dataclass(frozen=True, slots=True)
class CryptoLibrary:
    """One cryptographic library as ``rules/packages/<ecosystem>.yaml`` describes it."""

    id: str
    ecosystem: str
    names: tuple[str, ...]
    role: str  # "library", "wrapper", "protocol" or "pqc"
    #: (catalog algorithm, parameter or "", usage) for each algorithm the library offers.
    provides: tuple[tuple[str, str, Usage], ...]
    #: First version with standardised PQC; None: none; "all": every version; "unknown".
    pqc_since: str | None
    pqc_algorithms: tuple[str, ...]
    note: str
    source: str
    rule_file: str  # "rules/packages/pypi.yaml"
    #: For wrappers: the native library whose capability applies ("generic/openssl").
    binds: str | None = None
    #: PQC algorithms that came later than ``pqc_since``: (algorithm, first version).
    pqc_algorithm_since: tuple[tuple[str, str], ...] = ()

    def algorithm_since(self, algorithm: str) -> str | None:
        """The first version offering one of the PQC algorithms (its own, else ``pqc_since``)."""
        for name, since in self.pqc_algorithm_since:
            if name == algorithm:
                return since
        return self.pqc_since


# -- names ----------------------------------------------------------------------------------

_PEP503 = re.compile(r"[-_.]+")
_GO_MAJOR = re.compile(r"/v[0-9]+$")
_GOPKG_MAJOR = re.compile(r"\.v[0-9]+$")


def normalise_name(ecosystem: str, name: str) -> str:
    """The key a package name is looked up by, following each ecosystem's own equivalences.

    PyPI: PEP 503 (case, ``-``/``_``/``.`` runs); cargo: case and ``-``/``_``; maven:
    ``group:artifact`` (``group/artifact`` as in a purl is accepted); the others: case only.
    """
    eco = ecosystem.strip().lower()
    text = name.strip()
    if eco == "pypi":
        return _PEP503.sub("-", text).lower()
    if eco == "cargo":
        return text.lower().replace("_", "-")
    if eco == "maven":
        return text.replace("/", ":").lower()
    return text.lower()


def _golang_candidates(key: str) -> Iterable[str]:
    """A Go module path, then the path without its major-version suffix (/v2, gopkg.in .v2)."""
    yield key
    stripped = _GO_MAJOR.sub("", key)
    if stripped != key:
        yield stripped
    if key.startswith("gopkg.in/"):
        stripped = _GOPKG_MAJOR.sub("", key)
        if stripped != key:
            yield stripped
    # A package path inside a module (golang.org/x/crypto/ssh): try its parents.
    parts = key.split("/")
    for cut in range(len(parts) - 1, 2, -1):
        yield "/".join(parts[:cut])


# -- versions -------------------------------------------------------------------------------

#: Pre-release words, in order (a lower rank sorts first).
_PRE_WORDS = {
    "dev": 0,
    "snapshot": 0,
    "pre": 1,
    "preview": 1,
    "alpha": 2,
    "a": 2,
    "beta": 3,
    "b": 3,
    "m": 4,
    "milestone": 4,
    "rc": 5,
    "cr": 5,
}
#: Patch-level words that sort after the release (OpenSSH 9.9p1, 1.0-sp1, 2.0.post1).
_POST_WORDS = frozenset({"p", "patch", "pl", "post", "sp"})
#: Qualifiers that mean "the release itself" (Maven's 5.3.Final, 1.0-GA, 2.0.RELEASE).
_RELEASE_WORDS = frozenset({"final", "release", "ga"})
_VERSION = re.compile(
    r"^(?:v|go)?(?P<nums>[0-9]+(?:\.[0-9]+)*)(?P<sep>[-._+]?)(?P<rest>.*)$", re.IGNORECASE
)
_PSEUDO = re.compile(r"^(?:0\.)?[0-9]{14}-[0-9a-f]{12}$")
_WORD = re.compile(r"^([a-z]+)[.-]?([0-9]*)")
_MAX_VERSION_LENGTH = 128

#: A comparable version: (numeric parts without trailing zeros, stage, pre-release order)
#: with stage 0 = pre-release, 1 = release, 2 = post-release (1.1.1w, 1.2.3-4).
VersionKey = tuple[tuple[int, ...], int, tuple[int, int]]


def parse_version(text: str) -> VersionKey | None:
    """Read a version the tolerant way for comparing; None when it is not one.

    Numeric dot-separated parts (``1.79``, ``v1.4.0``, ``go1.24.1``); a pre-release suffix
    (``-rc1``, ``rc1``, ``.Beta2``, ``-SNAPSHOT``, an unknown ``-word``) sorts before the
    release; Go pseudo-versions (``v0.0.0-20240101120000-abcdef123456``,
    ``v1.2.4-0.20240101120000-abcdef123456``) are pre-releases of their base; build metadata
    (``+incompatible``) is ignored; ``-1``, ``p1`` and ``1.1.1w`` style revisions sort after
    the release.
    """
    text = text.strip()
    if not text or len(text) > _MAX_VERSION_LENGTH:
        return None
    match = _VERSION.match(text)
    if match is None:
        return None
    try:
        nums = tuple(int(part) for part in match["nums"].split("."))
    except ValueError:  # pragma: no cover - the pattern only lets digits through
        return None
    while len(nums) > 1 and nums[-1] == 0:
        nums = nums[:-1]
    sep, rest = match["sep"], match["rest"]
    if sep == "+":  # build metadata only
        return (nums, 1, (0, 0))
    rest = rest.split("+", 1)[0]
    if not rest and not sep:
        return (nums, 1, (0, 0))
    if not rest:  # "1.2." or "1.2-": not a version
        return None
    lowered = rest.lower()
    if sep == "-" and _PSEUDO.match(lowered):
        return (nums, 0, (-1, 0))
    if lowered[0].isdigit():
        if sep == "-":  # a packaging revision: 1.2.3-1, 3.0.2-0ubuntu1
            return (nums, 2, (0, 0))
        return None  # "1.2_3", "1.2.3.4a.5"... read as garbage rather than guessed
    word = _WORD.match(lowered)
    if word is None:
        return None
    name, number = word.group(1), word.group(2)
    if not sep and len(name) == 1 and not number and word.end() == len(lowered):
        return (nums, 2, (ord(name), 0))  # OpenSSL-style letter release: 1.1.1w, 1.0.2a
    if name in _RELEASE_WORDS:
        return (nums, 1, (0, 0))
    if name in _POST_WORDS:
        return (nums, 2, (0, int(number) if number else 0))
    rank = _PRE_WORDS.get(name)
    if rank is not None:
        return (nums, 0, (rank, int(number) if number else 0))
    if sep == "-":  # semver: any other -word is a pre-release
        return (nums, 0, (1, 0))
    return None


def _numeric_cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    pa, pb = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (pa > pb) - (pa < pb)


def compare_versions(ecosystem: str, left: str, right: str) -> int | None:
    """-1, 0 or 1 as ``left`` is older than, equal to or newer than ``right``; None if unreadable.

    PyPI versions are PEP 440 (:class:`packaging.version.Version`); the other ecosystems use
    :func:`parse_version`.
    """
    if max(len(left), len(right)) > _MAX_VERSION_LENGTH:
        return None
    if ecosystem.lower() == "pypi":
        try:
            a, b = Version(left.strip()), Version(right.strip())
        except InvalidVersion:
            return None
        return (a > b) - (a < b)
    ka, kb = parse_version(left), parse_version(right)
    if ka is None or kb is None:
        return None
    numeric = _numeric_cmp(ka[0], kb[0])
    if numeric:
        return numeric
    rest_a, rest_b = (ka[1], ka[2]), (kb[1], kb[2])
    return (rest_a > rest_b) - (rest_a < rest_b)


def _at_least(ecosystem: str, version: str | None, since: str | None) -> bool | None:
    if since is None:
        return False
    if since == ALL:
        return True
    if since == UNKNOWN or version is None:
        return None
    order = compare_versions(ecosystem, version, since)
    return None if order is None else order >= 0


def pqc_capable(library: CryptoLibrary, version: str | None) -> bool | None:
    """Does this version of the library offer standardised PQC?

    False when no version does; True for ``since: all`` or a version at or above ``since``;
    None (unknown) when the version is missing or unreadable, or the first PQC version of the
    library is not known.
    """
    return _at_least(library.ecosystem, version, library.pqc_since)


# -- loading --------------------------------------------------------------------------------


def _build(raw: Mapping[str, Any], ecosystem: str, rule_file: str) -> CryptoLibrary:
    pqc = raw["pqc"]
    since = pqc["since"]
    algorithms: list[str] = []
    later: list[tuple[str, str]] = []
    for item in pqc["algorithms"]:
        if isinstance(item, str):
            algorithms.append(item)
        else:
            algorithms.append(str(item["name"]))
            later.append((str(item["name"]), str(item["since"])))
    return CryptoLibrary(
        id=str(raw["id"]),
        ecosystem=ecosystem,
        names=tuple(str(n) for n in raw["names"]),
        role=str(raw["role"]),
        provides=tuple(
            (str(p["algorithm"]), str(p.get("parameter", "")), Usage(p["usage"]))
            for p in raw["provides"]
        ),
        pqc_since=None if since is None else str(since),
        pqc_algorithms=tuple(algorithms),
        note=" ".join(str(pqc["note"]).split()),
        source=str(pqc["source"]),
        rule_file=rule_file,
        binds=raw.get("binds"),
        pqc_algorithm_since=tuple(later),
    )


def load_libraries(root: Traversable | None = None) -> tuple[CryptoLibrary, ...]:
    """Read and validate every ``rules/packages/<ecosystem>.yaml``; raise :class:`RuleError`.

    Checks beyond the schema: the file's ``ecosystem`` matches its name, ids are unique, and a
    package name means one library only (after the ecosystem's normalisation). An ecosystem
    without a file has no knowledge (the shipped rules have all of :data:`ECOSYSTEMS`).
    """
    from pqcscan.catalog.loader import read_rule_file

    base = root or rules_root()
    out: list[CryptoLibrary] = []
    ids: dict[str, str] = {}
    names: dict[tuple[str, str], str] = {}
    for ecosystem in ECOSYSTEMS:
        where = f"packages/{ecosystem}.yaml"
        if not base.joinpath("packages", f"{ecosystem}.yaml").is_file():
            continue
        doc = read_rule_file("packages", f"{ecosystem}.yaml", root=base)
        validate(doc, _SCHEMA, where, root=base)
        if doc["ecosystem"] != ecosystem:
            raise RuleError(f"rules/{where}: ecosystem is {doc['ecosystem']!r}, not {ecosystem!r}")
        for raw in doc["libraries"]:
            library = _build(raw, ecosystem, f"rules/{where}")
            if library.id in ids:
                raise RuleError(
                    f"rules/{where}: library id {library.id!r} is also in {ids[library.id]}"
                )
            ids[library.id] = f"rules/{where}"
            for name in library.names:
                key = (ecosystem, normalise_name(ecosystem, name))
                if key in names:
                    raise RuleError(
                        f"rules/{where}: package {name!r} is in both {names[key]} and {library.id}"
                    )
                names[key] = library.id
            out.append(library)
    return tuple(out)


@cache
def libraries() -> tuple[CryptoLibrary, ...]:
    """Every library in the shipped knowledge (loaded and validated once per process)."""
    return load_libraries()


@cache
def _index() -> dict[tuple[str, str], CryptoLibrary]:
    return {
        (lib.ecosystem, normalise_name(lib.ecosystem, name)): lib
        for lib in libraries()
        for name in lib.names
    }


def library_for(ecosystem: str, name: str) -> CryptoLibrary | None:
    """The library a package name means in an ecosystem (purl type), or None.

    Names are compared the way the ecosystem does (see :func:`normalise_name`); a Go module
    also matches without its major-version suffix (``github.com/golang-jwt/jwt/v5``) and a
    package path matches its module (``golang.org/x/crypto/ssh``).
    """
    eco = ecosystem.strip().lower()
    key = normalise_name(eco, name)
    index = _index()
    if eco == "golang":
        for candidate in _golang_candidates(key):
            found = index.get((eco, candidate))
            if found is not None:
                return found
        return None
    return index.get((eco, key))


# -- findings -------------------------------------------------------------------------------

_PRIMITIVE_USAGE = {
    Primitive.KEM: Usage.KEY_EXCHANGE,
    Primitive.KEY_AGREE: Usage.KEY_EXCHANGE,
    Primitive.SIGNATURE: Usage.SIGNATURE,
    Primitive.PKE: Usage.ENCRYPTION,
}


def _finding(
    asset: AssetKey,
    algorithm: str,
    parameter: str,
    usage: Usage | None,
    evidence: Evidence,
) -> Finding:
    c = get_catalog().classify(algorithm, parameter)
    if usage is None:
        usage = Usage.KEY if c.primitive is None else _PRIMITIVE_USAGE.get(c.primitive, Usage.KEY)
    return Finding(
        asset=asset,
        algorithm=c.algorithm,
        parameter=c.parameter,
        usage=usage,
        quantum_status=c.status,
        evidence=evidence,
        classical_bits=c.classical_bits,
        nist_category=c.nist_category,
    )


#: Operating-system package types (container SBOMs): their packages are the native
#: libraries of ``generic.yaml`` under distribution names (``libssl3``, ``openssl-libs``).
DISTRIBUTION_ECOSYSTEMS = frozenset(("deb", "rpm", "apk", "alpm"))


def upstream_version(version: str | None) -> str | None:
    """The upstream part of a distribution version: ``1:3.0.11-1~deb12u2`` -> ``3.0.11``,
    ``1.1.1k-12.el8_9`` -> ``1.1.1k``, ``3.3.2-r0`` -> ``3.3.2``."""
    if not version:
        return version
    upstream = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    return upstream.rsplit("-", 1)[0] if "-" in upstream else upstream


def package_findings(package: Package, locator: str) -> tuple[Details, tuple[Finding, ...]]:
    """Extra asset details and findings for one dependency; ``((), ())`` if not cryptography.

    Details: ``crypto_library`` (id), ``role``, ``pqc_capable`` (True/False/None),
    ``pqc_since``, ``knowledge`` (rule file, source) and, for wrappers, ``binds``. Findings:
    one per provided algorithm, plus one per PQC algorithm when the version is known to offer
    it (evidence detail "available since <version>").
    """
    library = library_for(package.ecosystem, package.name)
    version = package.version
    if library is None and package.ecosystem in DISTRIBUTION_ECOSYSTEMS:
        library = library_for("generic", package.name)  # libssl3 from a container SBOM
        version = upstream_version(version)
    if library is None:
        return (), ()
    capable = pqc_capable(library, version)
    details: list[tuple[str, DetailValue]] = [
        ("crypto_library", library.id),
        ("role", library.role),
        ("pqc_capable", capable),
        ("pqc_since", library.pqc_since),
        ("knowledge", (library.rule_file, library.source)),
    ]
    if library.binds:
        details.append(("binds", library.binds))
    asset = AssetKey(AssetType.PACKAGE, package.purl)
    method = f"crypto-library knowledge ({library.rule_file.removeprefix('rules/')}: {library.id})"
    findings: list[Finding] = []
    for algorithm, parameter, usage in library.provides:
        if usage is Usage.PROTOCOL and not parameter:
            continue  # "implements TLS", no version: nothing a migration can act on
        evidence = Evidence(_COLLECTOR, locator, method, package.purl)
        findings.append(_finding(asset, algorithm, parameter, usage, evidence))
    if capable:
        for algorithm in library.pqc_algorithms:
            since = library.algorithm_since(algorithm)
            if _at_least(library.ecosystem, version, since) is not True:
                continue
            detail = "available in every version" if since == ALL else f"available since {since}"
            evidence = Evidence(_COLLECTOR, locator, method, package.purl, detail)
            findings.append(_finding(asset, algorithm, "", None, evidence))
    return tuple(details), tuple(findings)

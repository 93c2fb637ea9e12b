"""What the code collector's parsers return: plain, immutable values.

Three kinds of parser feed the code collector (``pqcscan scan code``), each a pure function
from a file's name and bytes to one of these values; none touches the filesystem, the
inventory or the catalog's classification of findings (the collector does that):

- dependency parsers (``deps/``): manifests, lockfiles and SBOMs -> :class:`DependencyFile`;
- source detectors (``source/``): cryptographic API calls -> :class:`CodeHit` values;
- configuration parsers (``config/``): TLS/SSH settings -> :class:`CodeHit` values.

A file a parser cannot read raises :class:`CodeParseError` with a message naming the line
when it can; the collector records it as a ``malformed`` error and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pqcscan.results import Usage


class CodeParseError(ValueError):
    """A file of a recognised kind whose content is broken (the message says where)."""


@dataclass(frozen=True, slots=True)
class Package:
    """One dependency as a manifest, lockfile or SBOM states it."""

    #: Package URL (https://github.com/package-url/purl-spec), built with packageurl-python,
    #: with the version when it is known: ``pkg:pypi/cryptography@42.0.5``,
    #: ``pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78``, ``pkg:npm/%40noble/curves@1.4.0``.
    purl: str
    #: The purl type: pypi, npm, maven, golang, cargo, nuget, composer, gem, generic...
    ecosystem: str
    #: The name as the ecosystem spells it (maven and composer: ``group:artifact`` /
    #: ``vendor/package``; npm scopes included: ``@noble/curves``).
    name: str
    #: The resolved version, or None when only a requirement (range) is known.
    version: str | None = None
    #: The declared requirement as written (``>=42,<44``, ``^1.2.0``, ``[1.70,)``), if any.
    requirement: str | None = None
    #: True: declared by the project itself; False: transitive; None: the file does not say.
    direct: bool | None = None
    #: "runtime", "dev", "test", "optional", "provided", "build"... when the file says.
    scope: str | None = None
    #: 1-based line of the declaration in the file, when known.
    line: int | None = None


@dataclass(frozen=True, slots=True)
class DependencyFile:
    """What one manifest, lockfile or SBOM says about a project's dependencies."""

    #: The format: "requirements", "pyproject", "poetry-lock", "pipfile-lock", "uv-lock",
    #: "pylock", "package-json", "package-lock", "yarn-lock", "pnpm-lock", "pom", "gradle",
    #: "gradle-lockfile", "go-mod", "go-sum", "cargo-toml", "cargo-lock", "csproj",
    #: "nuget-lock", "composer-lock", "gemfile-lock", "cyclonedx-json", "cyclonedx-xml",
    #: "spdx-json", "spdx-tag-value".
    kind: str
    #: The project's own name when the file states it (package.json name, pom artifactId).
    project: str | None
    packages: tuple[Package, ...]
    #: depends-on edges by purl, where the file tells: ``(from, to)``; ``from`` is ``""``
    #: for the project itself (a direct dependency).
    edges: tuple[tuple[str, str], ...] = ()
    #: Other files this one pulls in, as written (``-r base.txt``, ``-c constraints.txt``).
    includes: tuple[str, ...] = ()
    #: Things skipped on purpose, one sentence each (an unsupported line, a VCS requirement).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeHit:
    """Cryptography seen at one place in a source or configuration file."""

    #: The rule that matched, as named in ``rules/`` ("py-rsa-generate", "nginx-ssl-ecdh-curve").
    rule_id: str
    #: A catalog name or alias that ``Catalog.classify(algorithm, parameter)`` knows
    #: ("RSA", "ECDSA", "X25519", "ML-KEM-768", "AES", "TLS"), or "unknown".
    algorithm: str
    #: Key size, curve, mode or version as the code shows it ("1024", "P-256", "GCM", "1.2");
    #: "" when the code does not show it.
    parameter: str
    usage: Usage
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    #: The matched source text, on one line, at most 200 characters.
    snippet: str
    #: 1.0: algorithm and parameters literal at the call; lower when inferred (a variable,
    #: a default, a name that usually means this algorithm).
    confidence: float
    #: One sentence for people and SARIF: "RSA key generation with a 1024-bit key".
    message: str

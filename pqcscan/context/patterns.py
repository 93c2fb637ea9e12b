"""Mapping-rule patterns: parsing and checking them (at load) and compiling them (to match).

Each function raises :class:`ValueError` with a message a person can act on; the loader puts
it after the rule's ``file:line``.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re

from pqcscan.context.model import MatchKind
from pqcscan.results import AssetType

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The asset types each kind of rule can ever match (``asset`` matches any type).
KIND_ASSET_TYPES: dict[MatchKind, frozenset[str]] = {
    MatchKind.CIDR: frozenset({AssetType.ENDPOINT.value}),
    MatchKind.HOST: frozenset({AssetType.ENDPOINT.value, AssetType.CERTIFICATE.value}),
    MatchKind.PORT: frozenset({AssetType.ENDPOINT.value}),
    MatchKind.PATH: frozenset(
        {
            AssetType.FILE.value,
            AssetType.KEYSTORE.value,
            AssetType.CERTIFICATE.value,
            AssetType.KEY.value,
            AssetType.CSR.value,
        }
    ),
    MatchKind.PURL: frozenset({AssetType.PACKAGE.value}),
    MatchKind.TAG: frozenset({AssetType.HARDWARE.value}),
    MatchKind.ASSET: frozenset(t.value for t in AssetType),
}

_GLOB_CHARS = frozenset("*?[")
_HOST_CHARS = re.compile(r"^[a-z0-9.*?\[\]!_:-]+$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9._:/+-]*$")


def has_wildcards(pattern: str) -> bool:
    return any(c in _GLOB_CHARS for c in pattern)


def parse_cidr(text: str) -> IPNetwork:
    """``10.1.0.0/16``, ``fd00::/8`` or a single address (a /32 or /128)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            raise ValueError(f"invalid cidr {text!r}: {exc}") from None
        raise ValueError(
            f"cidr {text!r} has host bits set (did you mean {loose.with_prefixlen}?)"
        ) from None


def parse_port(text: str) -> tuple[int, int]:
    """``443`` or ``8000-8100`` as an inclusive (low, high) range."""
    low, dash, high = text.strip().partition("-")
    try:
        first = int(low)
        last = int(high) if dash else first
    except ValueError:
        first = last = -1
    if not (1 <= first <= last <= 65535):
        raise ValueError(f"port must be 1-65535 or a range like 8000-8100, got {text!r}")
    return first, last


def _check_brackets(pattern: str) -> None:
    depth = 0
    for c in pattern:
        if c == "[":
            if depth:
                raise ValueError("nested '['")
            depth = 1
        elif c == "]" and depth:
            depth = 0
    if depth:
        raise ValueError("'[' without ']'")


def check_glob(kind: MatchKind, pattern: str) -> str:
    """The normalised pattern of a host, path, purl, tag or asset rule (or ValueError)."""
    if not pattern.strip():
        raise ValueError(f"empty {kind.value} pattern")
    if pattern != pattern.strip() or any(c in pattern for c in "\r\n\t"):
        raise ValueError(f"{kind.value} pattern {pattern!r} has surrounding or control spaces")
    try:
        _check_brackets(pattern)
    except ValueError as exc:
        raise ValueError(f"invalid {kind.value} glob {pattern!r}: {exc}") from None
    if kind is MatchKind.HOST:
        host = pattern.lower().rstrip(".")
        if not _HOST_CHARS.match(host):
            raise ValueError(
                f"invalid host glob {pattern!r}: a host name, address or glob "
                "(letters, digits, '.', '-', '*', '?')"
            )
        return host
    if kind is MatchKind.PURL:
        if not pattern.lower().startswith("pkg:"):
            raise ValueError(f"invalid purl glob {pattern!r}: a purl starts with 'pkg:'")
        return pattern
    if kind is MatchKind.TAG:
        tag = pattern.lower()
        if not _TAG.match(tag):
            raise ValueError(f"invalid tag {pattern!r}: letters, digits, '.', '_', '-', ':'")
        return tag
    return pattern


def glob_regex(pattern: str, fold_case: bool) -> re.Pattern[str]:
    """A compiled glob: ``*`` and ``?`` match any character, ``/`` included.

    A path pattern ending in ``/`` matches everything below that folder.
    """
    if pattern.endswith("/"):
        pattern += "*"
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE if fold_case else 0)

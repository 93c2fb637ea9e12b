"""Certificate & key collector: finds X.509 certificates, keys, CSRs and keystores in files.

Detects, by content (not by file extension): PEM bundles, DER, PKCS#7, PKCS#12, JKS/JCEKS,
PKCS#1 / PKCS#8 / SEC1 / encrypted private keys, public keys, CSRs, OpenSSH keys,
``authorized_keys`` and ``known_hosts``. Classifies every key by OID through the catalog, so
ML-DSA / SLH-DSA / ML-KEM keys are classified even where ``cryptography`` cannot load them.

Inputs: files and folders. Limits: files above ``max_size`` are reported, not read; special
files are never opened; a symlink loop is reported once. Every unreadable or malformed file
becomes a :class:`~pqcscan.results.ScanError` and the scan goes on. Passwords are used to
open containers and are never recorded; private-key bytes never leave the parser.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pqcscan.collectors.base import collect
from pqcscan.collectors.certs.classify import build_item
from pqcscan.collectors.certs.formats import ParseOptions, parse, sniff
from pqcscan.collectors.certs.parsed import ParseFailure
from pqcscan.collectors.walker import DEFAULT_EXCLUDES, FoundFile, WalkError, walk
from pqcscan.results import CollectedItem, ErrorKind, ScanError

HEAD_SIZE = 64 * 1024
DEFAULT_MAX_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CertScanOptions:
    paths: tuple[Path, ...]
    excludes: tuple[str, ...] = ()
    default_excludes: bool = True
    max_size: int = DEFAULT_MAX_SIZE
    passwords: tuple[str, ...] = ()

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return (*DEFAULT_EXCLUDES, *self.excludes) if self.default_excludes else self.excludes


def scan_file(path: Path, size: int, options: CertScanOptions) -> CollectedItem:
    """Sniff, read, parse and classify one file. Never raises for a bad file."""
    locator = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_SIZE)
            fmt = sniff(head, path.name, size)
            if fmt is None:
                return CollectedItem(locator, skipped=True)
            if size > options.max_size:
                return _error(
                    locator,
                    ErrorKind.TOO_LARGE,
                    f"{fmt} file of {size} bytes is over the {options.max_size}-byte limit",
                )
            data = (
                head + fh.read(options.max_size + 1 - len(head)) if len(head) == HEAD_SIZE else head
            )
    except OSError as exc:
        return _error(locator, ErrorKind.UNREADABLE, exc.strerror or type(exc).__name__)
    if len(data) > options.max_size:
        return _error(
            locator, ErrorKind.TOO_LARGE, f"file grew over the {options.max_size}-byte limit"
        )
    return _parse_item(path, data, fmt, options)


def scan_data(path: Path, data: bytes, options: CertScanOptions) -> CollectedItem:
    """Like :func:`scan_file` for content already in memory (an archive member): ``path``
    only names it (``/repo/app.jar!/certs/ca.pem``) and is never opened."""
    locator = str(path)
    fmt = sniff(data[:HEAD_SIZE], path.name, len(data))
    if fmt is None:
        return CollectedItem(locator, skipped=True)
    if len(data) > options.max_size:
        return _error(
            locator,
            ErrorKind.TOO_LARGE,
            f"{fmt} of {len(data)} bytes is over the {options.max_size}-byte limit",
        )
    return _parse_item(path, data, fmt, options)


def _parse_item(path: Path, data: bytes, fmt: str, options: CertScanOptions) -> CollectedItem:
    locator = str(path)
    try:
        parsed = parse(data, fmt, ParseOptions(passwords=options.passwords), path.name)
    except ParseFailure as failure:
        return _error(locator, failure.kind, failure.message)
    except Exception as exc:  # a parser bug must not end a scan of thousands of files
        return _error(
            locator, ErrorKind.MALFORMED, f"unexpected {type(exc).__name__} while parsing {fmt}"
        )
    if not parsed.entries and not parsed.errors and not parsed.keystore:
        return CollectedItem(locator, skipped=True)  # e.g. a CRL or DH parameters only
    return build_item(path, len(data), parsed)


def _error(locator: str, kind: ErrorKind, message: str) -> CollectedItem:
    return CollectedItem(locator, errors=(ScanError(locator, kind, message),))


class CertificateCollector:
    """Walks paths; one unit per file (or per path that could not be entered)."""

    name: ClassVar[str] = "certs"

    def __init__(self, options: CertScanOptions) -> None:
        self.options = options

    def arguments(self) -> dict[str, object]:
        o = self.options
        return {
            "paths": [str(p) for p in o.paths],
            "excludes": list(o.all_excludes),
            "max_size": o.max_size,
            "passwords_given": len(o.passwords),
        }

    def units(self) -> Iterator[FoundFile | WalkError]:
        return walk(self.options.paths, self.options.all_excludes)

    def unit_key(self, unit: object) -> str:
        assert isinstance(unit, FoundFile | WalkError)
        return str(unit.path)

    def collect_one(self, unit: object) -> CollectedItem:
        if isinstance(unit, WalkError):
            return _error(str(unit.path), unit.kind, unit.message)
        assert isinstance(unit, FoundFile)
        return scan_file(unit.path, unit.size, self.options)

    def collect(self) -> Iterator[CollectedItem]:
        """Every item, in this process (the runner may parallelise instead)."""
        return collect(self)


def scan_paths(paths: Sequence[Path], **options: object) -> Iterator[CollectedItem]:
    """Convenience: collect from ``paths`` with :class:`CertScanOptions` keyword options."""
    return CertificateCollector(CertScanOptions(tuple(paths), **options)).collect()  # type: ignore[arg-type]


__all__ = [
    "CertScanOptions",
    "CertificateCollector",
    "FoundFile",
    "scan_data",
    "scan_file",
    "scan_paths",
]

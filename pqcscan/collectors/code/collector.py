"""``CodeCollector``: one pass over a tree; one unit per file (an archive is one unit)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pqcscan.collectors.base import collect
from pqcscan.collectors.certs import CertScanOptions
from pqcscan.collectors.code.analyse import Limits, Pieces, analyse, plan_for, wanted_member
from pqcscan.collectors.code.archives import ArchiveLimits, Member, archive_kind, read_archive
from pqcscan.collectors.walker import DEFAULT_EXCLUDES, FoundFile, WalkError, walk
from pqcscan.results import CollectedItem, ErrorKind, ScanError

#: Folders a code scan skips unless ``--no-default-excludes``: version control, caches and
#: build outputs (what was built from the sources, not the sources).
CODE_EXCLUDES: tuple[str, ...] = (
    *DEFAULT_EXCLUDES,
    ".pytest_cache", ".ruff_cache", ".gradle", ".idea", ".vscode", ".next", ".nuxt",
    ".cache", "target", "build", "dist", "out", "bin", "obj", "coverage", ".terraform",
)  # fmt: skip
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class CodeScanOptions:
    paths: tuple[Path, ...]
    excludes: tuple[str, ...] = ()
    default_excludes: bool = True
    limits: Limits = field(default_factory=Limits)
    archives: bool = True
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    #: Passwords for keystores met on the way (never recorded).
    passwords: tuple[str, ...] = ()

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return (*CODE_EXCLUDES, *self.excludes) if self.default_excludes else self.excludes


class CodeCollector:
    """Dependencies, cryptographic API calls and TLS/SSH settings in code trees."""

    name: ClassVar[str] = "code"

    def __init__(self, options: CodeScanOptions) -> None:
        self.options = options
        self._cert_options = CertScanOptions(
            paths=(), passwords=options.passwords, max_size=options.limits.file_bytes
        )

    def arguments(self) -> dict[str, object]:
        o = self.options
        return {
            "paths": [str(p) for p in o.paths],
            "excludes": list(o.all_excludes),
            "archives": o.archives,
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
        try:
            return self._file(unit.path, unit.size)
        except OSError as exc:
            return _error(str(unit.path), ErrorKind.UNREADABLE, exc.strerror or str(exc))

    def collect(self) -> Iterator[CollectedItem]:
        """Every item, in this process (the runner may parallelise instead)."""
        return collect(self)

    def _relative(self, path: Path) -> str:
        for root in self.options.paths:
            if path == root:
                return path.name
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        return path.name

    def _file(self, path: Path, size: int) -> CollectedItem:
        locator = str(path)
        kind = archive_kind(path.name)
        if kind is not None and self.options.archives:
            return self._archive(path, kind)
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
            plan = plan_for(path.name, self._relative(path), head, self.options.limits)
            if plan is None:
                return CollectedItem(locator, skipped=True)
            if size > plan.max_bytes:
                return _error(
                    locator,
                    ErrorKind.TOO_LARGE,
                    f"{plan.detail or plan.kind} file of {size} bytes is over the "
                    f"{plan.max_bytes}-byte limit: not read",
                )
            data = head + fh.read(plan.max_bytes + 1 - len(head))
        if len(data) > plan.max_bytes:
            return _error(locator, ErrorKind.TOO_LARGE, "file grew over the limit while read")
        pieces = Pieces()
        analyse(plan, locator, data, pieces, self._cert_options)
        return pieces.item(locator)

    def _archive(self, path: Path, kind: str) -> CollectedItem:
        locator = str(path)
        pieces = Pieces()
        with path.open("rb") as fh:
            for entry in read_archive(
                locator, fh, kind, wanted_member, self.options.archive_limits
            ):
                if not isinstance(entry, Member):
                    too_large = ErrorKind.TOO_LARGE if entry.too_large else ErrorKind.MALFORMED
                    pieces.errors.append(ScanError(entry.locator, too_large, entry.message))
                    continue
                base = entry.name.rsplit("/", 1)[-1]
                head = entry.data[:HEAD_BYTES]
                plan = plan_for(base, entry.name, head, self.options.limits)
                if plan is None:
                    continue
                if len(entry.data) > plan.max_bytes:
                    pieces.errors.append(
                        ScanError(
                            entry.locator,
                            ErrorKind.TOO_LARGE,
                            f"{plan.detail or plan.kind} member over the limit: not read",
                        )
                    )
                    continue
                analyse(plan, entry.locator, entry.data, pieces, self._cert_options)
        return pieces.item(locator)


def _error(locator: str, kind: ErrorKind, message: str) -> CollectedItem:
    return CollectedItem(locator, errors=(ScanError(locator, kind, message),))

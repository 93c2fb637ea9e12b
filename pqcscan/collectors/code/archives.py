"""Read archives safely, in memory: zip (.zip .jar .war .ear .whl .nupkg .aar) and tar
(.tar .tar.gz .tgz .tar.bz2 .tar.xz), nested up to a depth.

Nothing is ever extracted to disk, so a member called ``../../etc/passwd`` cannot land
anywhere; it is still refused (reported) because no honest archive holds one. Limits bound
what one archive may cost: members, bytes per member, bytes in all, nesting depth, and the
compression ratio of a zip member (a zip bomb is refused before it is inflated; reads are
capped anyway, since headers can lie).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

ZIP_SUFFIXES = (".zip", ".jar", ".war", ".ear", ".whl", ".nupkg", ".aar", ".apk")
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What one archive (with everything nested in it) may cost."""

    max_depth: int = 3  # an archive in an archive in an archive
    max_members: int = 100_000
    max_member_bytes: int = 32 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    #: A zip member inflating more than this many times its compressed size (and to more
    #: than ``ratio_floor`` bytes) is a bomb.
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Member:
    """One archive member worth reading: its virtual path and content."""

    locator: str  # "/repo/app.war!/WEB-INF/lib/x.jar!/META-INF/maven/g/a/pom.xml"
    name: str  # the member's path inside its own archive
    data: bytes


@dataclass(frozen=True, slots=True)
class Problem:
    """A member (or a whole archive) that was refused or could not be read."""

    locator: str
    message: str
    too_large: bool = False


def archive_kind(name: str) -> str | None:
    """``"zip"``, ``"tar"`` or None, from a file name."""
    lower = name.lower()
    if lower.endswith(ZIP_SUFFIXES):
        return "zip"
    if lower.endswith(TAR_SUFFIXES):
        return "tar"
    return None


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.members = 0
        self.bytes = 0
        self.skipped = 0


def read_archive(
    locator: str,
    source: IO[bytes] | bytes,
    kind: str,
    wanted: Callable[[str], bool],
    limits: ArchiveLimits | None = None,
) -> Iterator[Member | Problem]:
    """Yield the members ``wanted(member name)`` selects, and nested archives' members.

    ``source`` is an open binary file or bytes. Problems (unsafe names, bombs, limits,
    broken archives) are yielded, never raised; after a problem with the archive itself the
    members read so far stand.
    """
    budget = _Budget(limits or ArchiveLimits())
    yield from _read(locator, source, kind, wanted, budget, 1)


def _read(
    locator: str,
    source: IO[bytes] | bytes,
    kind: str,
    wanted: Callable[[str], bool],
    budget: _Budget,
    depth: int,
) -> Iterator[Member | Problem]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    reader = _zip_members if kind == "zip" else _tar_members
    try:
        for entry in reader(locator, stream, wanted, budget):
            if isinstance(entry, Problem):
                yield entry
                continue
            nested = archive_kind(entry.name)
            if nested is None:
                yield entry
            elif depth >= budget.limits.max_depth:
                yield Problem(entry.locator, f"archive nested deeper than {depth} levels: not read")
            else:
                yield from _read(entry.locator, entry.data, nested, wanted, budget, depth + 1)
    except _Stop as stop:
        yield Problem(locator, str(stop), too_large=True)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        yield Problem(locator, f"broken {kind} archive: {exc}")
    except (NotImplementedError, RuntimeError) as exc:  # unsupported compression, encryption
        yield Problem(locator, f"unsupported {kind} archive: {exc}")


class _Stop(Exception):
    """The archive's budget is spent."""


def _take(budget: _Budget, size: int) -> None:
    limits = budget.limits
    budget.members += 1
    if budget.members > limits.max_members:
        raise _Stop(f"more than {limits.max_members} members: the rest were not read")
    budget.bytes += size
    if budget.bytes > limits.max_total_bytes:
        raise _Stop(f"more than {limits.max_total_bytes} bytes in all: the rest were not read")


def _wants(name: str, wanted: Callable[[str], bool]) -> bool:
    return archive_kind(name) is not None or wanted(name)


def _zip_members(
    locator: str, stream: IO[bytes], wanted: Callable[[str], bool], budget: _Budget
) -> Iterator[Member | Problem]:
    limits = budget.limits
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            here = f"{locator}!/{info.filename}"
            if _unsafe(info.filename):
                yield Problem(here, "unsafe member name (absolute or '..'): refused")
                continue
            if not _wants(info.filename, wanted):
                continue
            if info.file_size > limits.max_member_bytes:
                yield Problem(here, f"member of {info.file_size} bytes: over the limit", True)
                continue
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                yield Problem(
                    here,
                    f"zip bomb: {info.compress_size} bytes inflate to {info.file_size}: refused",
                )
                continue
            _take(budget, info.file_size)
            with archive.open(info) as fh:
                data = fh.read(limits.max_member_bytes + 1)
            if len(data) > limits.max_member_bytes:
                yield Problem(here, "member inflates over the limit (its header lied)", True)
                continue
            yield Member(here, info.filename, data)


def _tar_members(
    locator: str, stream: IO[bytes], wanted: Callable[[str], bool], budget: _Budget
) -> Iterator[Member | Problem]:
    limits = budget.limits
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        for info in archive:
            if not info.isreg():
                continue  # links, devices, folders: never followed
            here = f"{locator}!/{info.name}"
            if _unsafe(info.name):
                yield Problem(here, "unsafe member name (absolute or '..'): refused")
                continue
            if not _wants(info.name, wanted):
                # A compressed tar is one stream: skipping a member still inflates it.
                budget.skipped += info.size
                if budget.skipped > 4 * limits.max_total_bytes:
                    raise _Stop(f"over {4 * limits.max_total_bytes} bytes inflated: stopped")
                continue
            if info.size > limits.max_member_bytes:
                yield Problem(here, f"member of {info.size} bytes: over the limit", True)
                continue
            _take(budget, info.size)
            fh = archive.extractfile(info)
            if fh is None:
                continue
            yield Member(here, info.name, fh.read(limits.max_member_bytes + 1))

"""Walk files and folders safely: excludes, size limit, symlink loops, special files.

Every file collector walks with this. Yields every regular file once (by device and inode),
and a :class:`WalkError` for what cannot be entered or read, so one bad folder never stops
the walk.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pqcscan.results import ErrorKind

#: Folders that never hold deployed key material worth a scan; ``--no-default-excludes``
#: turns these off. (Shared by the file collectors; each may add its own.)
DEFAULT_EXCLUDES: tuple[str, ...] = (".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".tox")


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class WalkError:
    path: Path
    kind: ErrorKind
    message: str


def _excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    name = path.name
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    full = path.as_posix()
    return any(
        fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(full, p)
        for p in patterns
    )


def _describe(exc: OSError) -> tuple[ErrorKind, str]:
    if exc.errno == errno.ELOOP:
        return ErrorKind.SYMLINK_LOOP, "symbolic link loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ErrorKind.UNREADABLE, "permission denied"
    if exc.errno == errno.ENOENT:
        return ErrorKind.UNREADABLE, "vanished or dangling symbolic link"
    return ErrorKind.UNREADABLE, exc.strerror or type(exc).__name__


def walk(roots: Sequence[Path], excludes: Sequence[str] = ()) -> Iterator[FoundFile | WalkError]:
    """Yield regular files below ``roots`` (files given directly are yielded too).

    Symbolic links are followed (certificate stores are often links), but every folder and
    file is visited once; a link back into a folder being walked is reported as a loop.
    """
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for root in roots:
        yield from _walk_root(root, excludes, seen_files, seen_dirs)


def _walk_root(
    root: Path,
    excludes: Sequence[str],
    seen_files: set[tuple[int, int]],
    seen_dirs: set[tuple[int, int]],
) -> Iterator[FoundFile | WalkError]:
    try:
        st = root.stat()
    except OSError as exc:
        kind, msg = _describe(exc)
        yield WalkError(root, kind, msg)
        return
    if stat.S_ISREG(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            yield FoundFile(root, st.st_size)
        return
    if not stat.S_ISDIR(st.st_mode):
        return  # FIFOs, sockets, devices: never opened
    # Depth-first with an explicit stack: deep trees cannot exhaust the recursion limit.
    stack: list[tuple[Path, tuple[tuple[int, int], ...]]] = [(root, ())]
    while stack:
        folder, ancestors = stack.pop()
        try:
            fst = folder.stat()
        except OSError as exc:
            kind, msg = _describe(exc)
            yield WalkError(folder, kind, msg)
            continue
        dkey = (fst.st_dev, fst.st_ino)
        if dkey in ancestors:
            yield WalkError(folder, ErrorKind.SYMLINK_LOOP, "symbolic link loop to a parent folder")
            continue
        if dkey in seen_dirs:
            continue
        seen_dirs.add(dkey)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            kind, msg = _describe(exc)
            yield WalkError(folder, kind, msg)
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if _excluded(path, root, excludes):
                continue
            try:
                est = entry.stat(follow_symlinks=True)
            except OSError as exc:
                kind, msg = _describe(exc)
                yield WalkError(path, kind, msg)
                continue
            if stat.S_ISDIR(est.st_mode):
                subfolders.append(path)
            elif stat.S_ISREG(est.st_mode):
                fkey = (est.st_dev, est.st_ino)
                if fkey in seen_files:
                    continue
                seen_files.add(fkey)
                yield FoundFile(path, est.st_size)
        chain = (*ancestors, dkey)
        stack.extend((sub, chain) for sub in reversed(subfolders))

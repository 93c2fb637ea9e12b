"""The file walker: excludes, symlinks and loops, special and unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

from pqcscan.collectors.walker import DEFAULT_EXCLUDES, FoundFile, WalkError, walk
from pqcscan.results import ErrorKind
from tests.conftest import unprivileged


def files(results: list[FoundFile | WalkError]) -> list[str]:
    return sorted(str(r.path) for r in results if isinstance(r, FoundFile))


def errors(results: list[FoundFile | WalkError]) -> list[tuple[str, ErrorKind]]:
    return sorted((str(r.path), r.kind) for r in results if isinstance(r, WalkError))


def test_walks_folders_and_single_files_with_excludes(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.pem").write_text("x")
    (tmp_path / "a" / "y.bak").write_text("y")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "k.pem").write_text("k")
    (tmp_path / "single.der").write_bytes(b"\x30")
    found = list(
        walk([tmp_path / "a", tmp_path / "single.der", tmp_path], [*DEFAULT_EXCLUDES, "*.bak"])
    )
    assert files(found) == sorted(
        [str(tmp_path / "a" / "b" / "x.pem"), str(tmp_path / "single.der")]
    )
    assert errors(found) == []
    everything = list(walk([tmp_path], ()))
    assert str(tmp_path / ".git" / "k.pem") in files(everything)
    assert str(tmp_path / "a" / "y.bak") in files(everything)


def test_symlinks_are_followed_once_and_loops_reported(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ca.pem").write_text("ca")
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "abcd.0").symlink_to(tmp_path / "store" / "ca.pem")
    (tmp_path / "store" / "loop").symlink_to(tmp_path / "store")
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    found = list(walk([tmp_path], ()))
    assert len(files(found)) == 1  # the certificate once, not twice
    kinds = dict(errors(found))
    assert kinds[str(tmp_path / "store" / "loop")] is ErrorKind.SYMLINK_LOOP
    assert kinds[str(tmp_path / "self")] is ErrorKind.SYMLINK_LOOP
    assert kinds[str(tmp_path / "dangling")] is ErrorKind.UNREADABLE


def test_special_files_are_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "real.pem").write_text("r")
    found = list(walk([tmp_path], ()))  # would block forever if the FIFO were opened
    assert files(found) == [str(tmp_path / "real.pem")]


def test_unreadable_folder_is_an_error_and_the_walk_goes_on(open_tmp: Path) -> None:
    locked = open_tmp / "locked"
    locked.mkdir()
    (locked / "secret.pem").write_text("s")
    locked.chmod(0o000)
    (open_tmp / "ok.pem").write_text("ok")
    with unprivileged():
        found = list(walk([open_tmp], ()))
    assert files(found) == [str(open_tmp / "ok.pem")]
    assert errors(found) == [(str(locked), ErrorKind.UNREADABLE)]


def test_missing_root_is_reported(tmp_path: Path) -> None:
    assert errors(list(walk([tmp_path / "nope"], ()))) == [
        (str(tmp_path / "nope"), ErrorKind.UNREADABLE)
    ]


def test_deep_trees_do_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(300):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "k.pem").write_text("k")
    assert len(files(list(walk([tmp_path], ())))) == 1

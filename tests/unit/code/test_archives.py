"""Archives read in memory: members, nesting, and every limit that keeps a hostile one cheap."""

from __future__ import annotations

import io
import tarfile
import zipfile

from pqcscan.collectors.code.archives import (
    ArchiveLimits,
    Member,
    Problem,
    archive_kind,
    read_archive,
)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def everything(name: str) -> bool:
    return True


def read(data: bytes, kind: str, **limits: int) -> tuple[list[Member], list[Problem]]:
    got = list(read_archive("/r/a", data, kind, everything, ArchiveLimits(**limits)))
    return [m for m in got if isinstance(m, Member)], [p for p in got if isinstance(p, Problem)]


def test_kinds_by_name() -> None:
    assert archive_kind("app.WAR") == "zip" and archive_kind("x.whl") == "zip"
    assert archive_kind("src.tar.gz") == "tar" and archive_kind("a.tgz") == "tar"
    assert archive_kind("notes.txt") is None and archive_kind("gz") is None


def test_nested_jar_in_war_is_read_with_a_virtual_path() -> None:
    jar = zip_bytes({"META-INF/maven/g/a/pom.xml": b"<project/>"})
    war = zip_bytes({"WEB-INF/lib/a.jar": jar, "index.html": b"<html/>"})
    members, problems = read(war, "zip")
    assert not problems
    assert {m.locator for m in members} == {
        "/r/a!/WEB-INF/lib/a.jar!/META-INF/maven/g/a/pom.xml",
        "/r/a!/index.html",
    }


def test_only_wanted_members_are_inflated() -> None:
    data = zip_bytes({"keep.txt": b"k", "skip.bin": b"s" * 1000})
    got = list(read_archive("/r/a", data, "zip", lambda n: n.endswith(".txt")))
    assert [m.name for m in got if isinstance(m, Member)] == ["keep.txt"]


def test_tar_gz_members_and_links_are_not_followed() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("pkg/requirements.txt")
        info.size = 4
        t.addfile(info, io.BytesIO(b"rsa\n"))
        link = tarfile.TarInfo("pkg/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    members, problems = read(buf.getvalue(), "tar")
    assert [m.name for m in members] == ["pkg/requirements.txt"] and not problems


def test_unsafe_member_names_are_refused() -> None:
    members, problems = read(zip_bytes({"../../etc/cron.d/x": b"x", "ok.txt": b"o"}), "zip")
    assert [m.name for m in members] == ["ok.txt"]
    assert "unsafe member name" in problems[0].message
    members, problems = read(tar_bytes({"/abs/key.pem": b"x"}), "tar")
    assert not members and "unsafe" in problems[0].message


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = zip_bytes({"bomb.txt": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 100_000
    members, problems = read(bomb, "zip", max_member_bytes=64 * 1024 * 1024)
    assert not members and "zip bomb" in problems[0].message


def test_member_and_total_limits() -> None:
    members, problems = read(zip_bytes({"big.txt": b"x" * 5000}), "zip", max_member_bytes=4000)
    assert not members and problems[0].too_large
    many = zip_bytes({f"f{n}.txt": b"x" for n in range(20)})
    members, problems = read(many, "zip", max_members=5)
    assert len(members) == 5 and "more than 5 members" in problems[-1].message
    members, problems = read(many, "zip", max_total_bytes=3)
    assert len(members) == 3 and problems[-1].too_large


def test_nesting_depth_is_bounded() -> None:
    data = zip_bytes({"leaf.txt": b"x"})
    for level in range(4):
        data = zip_bytes({f"l{level}.zip": data})
    members, problems = read(data, "zip", max_depth=3)
    assert not members and "nested deeper" in problems[0].message


def test_broken_archives_become_problems() -> None:
    for kind, data in (
        ("zip", b"PK\x03\x04 not really"),
        ("tar", b"\x1f\x8b garbage"),
        ("zip", zip_bytes({"a.txt": b"abc" * 100})[:60]),
    ):
        members, problems = read(data, kind)
        assert not members and problems and "archive" in problems[0].message


def test_a_compressed_tar_of_unwanted_bulk_is_stopped() -> None:
    data = tar_bytes({f"f{n}.bin": b"\0" * 1024 * 1024 for n in range(6)})
    got = list(
        read_archive(
            "/r/a", data, "tar", lambda n: False, ArchiveLimits(max_total_bytes=1024 * 1024)
        )
    )
    assert len(got) == 1 and isinstance(got[0], Problem) and "inflated" in got[0].message

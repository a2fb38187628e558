"""Writing build/: all or nothing, and an interrupted write leaves the old build intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.artifact import Artifact
from compiler.writer import write_build


def art(path: str, content: bytes) -> Artifact:
    return Artifact(
        path, "gym-a", "apple", "profile", path, content, ("schools/gym-a/school.yaml",)
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_writes_artifacts_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(
        out,
        [art("schools/gym-a/apple/wifi.mobileconfig", b"<plist/>"), art("a/b/c.json", b"{}")],
        {"manifest.json": b"[]\n"},
    )
    assert tree(out) == {
        "schools/gym-a/apple/wifi.mobileconfig": b"<plist/>",
        "a/b/c.json": b"{}",
        "manifest.json": b"[]\n",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_replaces_an_old_build_completely(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, [art("old.txt", b"old"), art("keep/x.txt", b"1")], {})
    write_build(out, [art("keep/x.txt", b"2")], {"manifest.json": b"m"})
    assert tree(out) == {"keep/x.txt": b"2", "manifest.json": b"m"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_failed_write_leaves_the_old_build_and_no_temp_folders(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, [art("x.txt", b"old")], {"manifest.json": b"old"})
    before = tree(out)
    # "a" is a file, so "a/b" cannot be written: the write fails half-way
    with pytest.raises(OSError):
        write_build(out, [art("a", b"1"), art("a/b", b"2")], {"manifest.json": b"new"})
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "build"
    write_build(out, [art("x.txt", b"x")], {})
    assert tree(out) == {"x.txt": b"x"}

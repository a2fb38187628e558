"""Writing build/: all or nothing, and an interrupted write leaves the old build intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.artifact import Artifact
from compiler.paths import path_problem
from compiler.writer import UnsafeOutput, check_output, recover, write_build


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


MANIFEST = b'{"version": 1, "artifacts": []}\n'


def test_replaces_an_old_build_completely(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(
        out,
        [art("schools/a/old.txt", b"old"), art("estate/x.txt", b"1")],
        {"manifest.json": MANIFEST},
    )
    write_build(out, [art("estate/x.txt", b"2")], {"manifest.json": MANIFEST})
    assert tree(out) == {"estate/x.txt": b"2", "manifest.json": MANIFEST}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_failed_write_leaves_the_old_build_and_no_temp_folders(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, [art("estate/x.txt", b"old")], {"manifest.json": MANIFEST})
    before = tree(out)
    # "a" is a file, so "a/b" cannot be written: the write fails half-way
    with pytest.raises(OSError):
        write_build(
            out, [art("estate/a", b"1"), art("estate/a/b", b"2")], {"manifest.json": MANIFEST}
        )
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "build"
    write_build(out, [art("x.txt", b"x")], {})
    assert tree(out) == {"x.txt": b"x"}


# --- one path check for every artifact -------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "../outside.txt",
        "schools/../../outside.txt",
        "/tmp/x",
        "schools/a/../../../x",
        "schools\\a\\x",
        "schools/a/x\x00y",
        "schools/a/x\ny",
        "schools//x",
        "schools/./x",
        "",
        "schools/a/.hidden",
        "C:/x",
    ],
)
def test_an_artifact_path_outside_the_folder_is_refused_before_anything_is_written(
    tmp_path: Path, rel: str
) -> None:
    out = tmp_path / "build"
    with pytest.raises(UnsafeOutput):
        write_build(out, [art("schools/a/ok.txt", b"ok"), art(rel, b"x")], {})
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert path_problem(rel)


# --- only a previous build is ever replaced -----------------------------------------------------


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"manifest.json": b"{}"}, "manifest"),  # a manifest.json of something else
        ({"manifest.json": b"not json"}, "manifest"),
        ({"manifest.json": MANIFEST, "thesis.docx": b"x"}, "thesis.docx"),
        ({"manifest.json": MANIFEST, "schools/.git/config": b"x"}, ".git"),
        ({"notes.txt": b"x"}, "manifest"),
    ],
)
def test_a_folder_that_is_not_a_build_is_never_replaced(
    tmp_path: Path, files: dict[str, bytes], reason: str
) -> None:
    out = tmp_path / "out"
    for rel, content in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(content)
    with pytest.raises(UnsafeOutput, match=reason.replace(".", "\\.")):
        check_output(out, tmp_path / "estate")
    with pytest.raises(UnsafeOutput):
        write_build(out, [art("estate/x.txt", b"x")], {"manifest.json": MANIFEST})
    assert tree(out) == files


# --- an interrupted swap is recovered, never "no build at all" ------------------------------


def test_killed_between_the_renames_the_next_build_puts_the_old_one_back(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_build(out, [art("estate/x.txt", b"old")], {"manifest.json": MANIFEST})
    old = tree(out)
    # what a build killed between `out -> .build-old-*` and `.build-new-* -> out` leaves
    out.rename(tmp_path / ".build-old-12345")
    (tmp_path / ".build-new-abcd").mkdir()
    (tmp_path / ".build-new-abcd" / "half").write_bytes(b"x")
    notes = recover(out)
    assert tree(out) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    assert any("restored" in n for n in notes)


def test_leftovers_of_an_interrupted_build_are_removed_and_the_build_proceeds(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    write_build(out, [art("estate/x.txt", b"1")], {"manifest.json": MANIFEST})
    # killed after the swap (old not yet removed) and another killed while writing
    (tmp_path / f".build-old-{os.getpid()}").mkdir()
    (tmp_path / f".build-old-{os.getpid()}" / "estate").mkdir()
    (tmp_path / ".build-new-zzzz").mkdir()
    write_build(out, [art("estate/x.txt", b"2")], {"manifest.json": MANIFEST})
    assert tree(out) == {"estate/x.txt": b"2", "manifest.json": MANIFEST}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_build_command_recovers_an_interrupted_swap(mini_estate: Path) -> None:
    from tests.helpers import run_cli

    assert run_cli(["build"], mini_estate).exit_code == 0
    before = tree(mini_estate / "build")
    (mini_estate / "build").rename(mini_estate / ".build-old-1")
    result = run_cli(["validate"], mini_estate)
    assert result.exit_code == 0
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "restored" in result.stderr
    assert tree(mini_estate / "build") == before
    assert not (mini_estate / ".build-old-1").exists()

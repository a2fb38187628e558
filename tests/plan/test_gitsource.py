"""A revision read from git objects behaves like the same files on disk."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from compiler.pipeline import check_estate
from compiler.plan.gitsource import (
    GitTreeSource,
    Repository,
    RevisionError,
    WorkingTreeSource,
    blob_id,
)
from compiler.source import DirectorySource
from tests.gitrepo import commit
from tests.helpers import write


def source(root: Path, rev: str = "HEAD", prefix: str = "") -> GitTreeSource:
    repo = Repository(root)
    return GitTreeSource(repo, repo.listing(repo.commit(rev)), prefix)


def test_same_answers_as_the_folder(estate_repo: Path) -> None:
    tree, disk = source(estate_repo), DirectorySource(estate_repo)
    for folder in ("", "schools", "schools/gym-a", "profiles", "templates/apple", "nope"):
        assert tree.list_dir(folder) == [n for n in disk.list_dir(folder) if n != ".git"]
    for rel in (
        "schools/gym-a/school.yaml",
        "schools",
        "schools/gym-a/nope.csv",
        "profiles/wifi.yaml",
    ):
        assert tree.exists(rel) == disk.exists(rel)
        assert tree.is_dir(rel) == disk.is_dir(rel)
        assert not tree.is_link(rel)
    rel = "schools/gym-a/devices.csv"
    assert tree.read(rel) == disk.read(rel) and tree.size(rel) == disk.size(rel)
    assert (
        tree.blob_id(rel) == blob_id(disk.read(rel)) == WorkingTreeSource(estate_repo).blob_id(rel)
    )
    assert check_estate(tree) == check_estate(disk)
    memo: dict[tuple[str, int, bytes], object] = {}  # plan parses files the sides share once
    assert check_estate(tree, memo=memo) == check_estate(disk, memo=memo) == check_estate(disk)
    assert len(memo) == len(tree.seen)


def test_estate_in_a_subfolder(estate_repo: Path, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    r = git.Repo.init(outer)
    write(outer, "README.md", "estate below")
    for path in estate_repo.rglob("*"):
        if ".git" not in path.parts and path.is_file():
            write(outer, f"estate/{path.relative_to(estate_repo).as_posix()}", path.read_bytes())
    r.git.add("-A")
    r.git.commit("-qm", "x", author="T <t@example.org>")
    tree = source(outer / "estate", prefix="estate")
    assert tree.list_dir("schools") == ["bbz-b", "gym-a", "gym-c"]
    assert check_estate(tree)[1] == []


def test_symlinks_are_links_and_never_followed(estate_repo: Path) -> None:
    (estate_repo / "schools/gym-z").symlink_to("gym-a")
    commit(estate_repo, "linked folder")
    tree = source(estate_repo)
    assert tree.is_link("schools/gym-z") and tree.is_link("schools/gym-z/school.yaml")
    assert tree.is_dir("schools/gym-z") and tree.exists("schools/gym-z/school.yaml")
    _, found = check_estate(tree)
    assert {(d.path, d.code) for d in found} >= {("schools/gym-z/school.yaml", "symlink")}


def test_unknown_revision_and_no_repository(estate_repo: Path, tmp_path: Path) -> None:
    repo = Repository(estate_repo)
    for bad in ("no-such-branch", "--output=/tmp/x", "HEAD~99"):
        with pytest.raises(RevisionError):
            repo.commit(bad)
    with pytest.raises(RevisionError, match="not inside a git repository"):
        Repository(tmp_path / "elsewhere")


def test_blobs_read_in_one_batch_byte_for_byte(estate_repo: Path) -> None:
    blob = bytes(range(256)) * 3 + b"\n\n"  # newlines and every byte value inside content
    write(estate_repo, "schools/gym-a/photo.bin", blob)
    write(estate_repo, "schools/gym-a/empty.txt", b"")
    commit(estate_repo, "binary")
    tree = source(estate_repo)
    assert tree.read("schools/gym-a/photo.bin") == blob  # fetched with the whole folder
    assert tree.read("schools/gym-a/empty.txt") == b""
    with pytest.raises(FileNotFoundError):
        tree.repo.read("0" * 40)

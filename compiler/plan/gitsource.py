"""Revisions read from git objects, never checked out: a FileSource over a commit's tree.

Every file has a blob id (git's content hash), so two revisions can be compared file by file
without reading them; the working tree gets the same ids by hashing its files like git does.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from compiler.source import DirectorySource

LINK = "120000"  # a symbolic link's mode in a tree


class RevisionError(Exception):
    """A revision that cannot be read (no repository, unknown name); a usage error."""


@dataclass(frozen=True)
class Entry:
    mode: str
    kind: str  # blob | tree | commit (a submodule)
    sha: str
    size: int  # -1 for trees and submodules


def blob_id(content: bytes) -> str:
    """The id git gives a file with this content (`git hash-object`)."""
    digest = hashlib.sha1(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


class Repository:
    """The git repository an estate lives in, found upwards from the estate's folder."""

    def __init__(self, start: Path) -> None:
        try:
            self.repo = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RevisionError(f"{start} is not inside a git repository") from None
        if self.repo.working_tree_dir is None:
            raise RevisionError(f"{start} is inside a bare repository")
        self.workdir = Path(self.repo.working_tree_dir).resolve()
        self._blobs: dict[str, bytes] = {}  # by blob id: revisions share most of their files

    def commit(self, rev: str) -> str:
        """The full commit id a revision name (branch, tag, sha, HEAD~1, ...) stands for."""
        if rev.startswith("-"):
            raise RevisionError(f"'{rev}' is not a revision")
        try:
            return str(self.repo.commit(rev).hexsha)
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            raise RevisionError(
                f"unknown revision '{rev}' (in CI, fetch enough history: fetch-depth: 0)"
            ) from None

    def listing(self, commit: str) -> dict[str, Entry]:
        """Every path of the commit's tree (folders too) with mode, type, id and size."""
        out = self.repo.git.ls_tree("-r", "-t", "-l", "-z", "--full-tree", commit)
        entries = {}
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha, size = meta.split()
            entries[path] = Entry(mode, kind, sha, int(size) if size != "-" else -1)
        return entries

    def changed_files(self, base: str, head: str | None) -> list[str]:
        """Paths (from the repository root) that differ between two commits, or between a
        commit and the working tree (new untracked files too); a rename is both its paths."""
        if head is None:
            out = self.repo.git.diff("--name-only", "--no-renames", "-z", base, "--")
            out += "\0" + self.repo.git.ls_files("--others", "--exclude-standard", "-z")
        else:
            out = self.repo.git.diff("--name-only", "--no-renames", "-z", base, head, "--")
        return sorted({p for p in out.split("\0") if p})

    def fetch(self, shas: Iterable[str]) -> None:
        """Read many blobs in one `git cat-file --batch` round trip (one per blob is slow)."""
        wanted = [s for s in dict.fromkeys(shas) if s not in self._blobs]
        if not wanted:
            return
        with tempfile.TemporaryFile() as request:
            request.write(("\n".join(wanted) + "\n").encode("ascii"))
            request.seek(0)
            out: bytes = self.repo.git.execute(
                ["git", "cat-file", "--batch"],
                istream=request,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        pos = 0
        for _ in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3:  # "<id> missing": not in this repository (a shallow clone)
                continue
            size = int(header[2])
            self._blobs[header[0].decode("ascii")] = out[pos : pos + size]
            pos += size + 1

    def read(self, sha: str) -> bytes:
        if sha not in self._blobs:
            self.fetch([sha])
        if sha not in self._blobs:
            raise FileNotFoundError(f"blob {sha} is not in the repository")
        return self._blobs[sha]

    def close(self) -> None:
        self.repo.close()  # ends git's helper processes (cat-file --batch)


class GitTreeSource:
    """The estate as it is in one commit, below `prefix` (the estate's folder in the repository).

    A symbolic link is reported as one, as on disk; its target is never read, and paths
    below a link exist (so the loader reaches its symlink finding instead of skipping).
    """

    def __init__(self, repo: Repository, entries: dict[str, Entry], prefix: str = "") -> None:
        self.repo = repo
        cut = len(prefix) + 1 if prefix else 0
        self.entries = {
            p[cut:]: e for p, e in entries.items() if not prefix or p.startswith(prefix + "/")
        }
        self.children: dict[str, list[str]] = {}
        for path in self.entries:
            parent, _, name = path.rpartition("/")
            self.children.setdefault(parent, []).append(name)
        for names in self.children.values():
            names.sort()
        self.seen: set[str] = set()  # files the loader read: the revision's inputs
        self._fetched: set[str] = set()  # top-level folders whose files are read in one go

    def _link_at(self, rel: str) -> bool:
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            entry = self.entries.get("/".join(parts[:i]))
            if entry is not None and entry.mode == LINK:
                return True
        return False

    def list_dir(self, rel: str) -> list[str]:
        return list(self.children.get(rel, [])) if self.is_dir(rel) else []

    def is_dir(self, rel: str) -> bool:
        if not rel:
            return True
        entry = self.entries.get(rel)
        return (entry is not None and entry.kind == "tree") or self._link_at(rel)

    def exists(self, rel: str) -> bool:
        entry = self.entries.get(rel)
        return (entry is not None and entry.kind == "blob") or self._link_at(rel)

    def size(self, rel: str) -> int:
        entry = self.entries.get(rel)
        return max(entry.size, 0) if entry is not None else 0

    def read(self, rel: str) -> bytes:
        entry = self.entries.get(rel)
        if entry is None or entry.kind != "blob":
            raise FileNotFoundError(rel)
        self.seen.add(rel)
        top = rel.split("/")[0]
        if top not in self._fetched:  # the loader reads whole folders: fetch them at once
            self._fetched.add(top)
            start = top + "/"
            self.repo.fetch(
                e.sha for p, e in self.entries.items() if e.kind == "blob" and p.startswith(start)
            )
        return self.repo.read(entry.sha)

    def is_link(self, rel: str) -> bool:
        return self._link_at(rel)

    def blob_id(self, rel: str) -> str | None:
        entry = self.entries.get(rel)
        return entry.sha if entry is not None and entry.kind == "blob" else None


class WorkingTreeSource(DirectorySource):
    """The estate on disk, with git's blob ids computed from each file's bytes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._ids: dict[str, str] = {}
        self.seen: set[str] = set()

    def read(self, rel: str) -> bytes:
        data = super().read(rel)
        self.seen.add(rel)
        self._ids[rel] = blob_id(data)
        return data

    def blob_id(self, rel: str) -> str | None:
        if rel not in self._ids:
            path = self._p(rel)
            if not path.is_file() or self.is_link(rel):
                return None
            self._ids[rel] = blob_id(path.read_bytes())
        return self._ids[rel]

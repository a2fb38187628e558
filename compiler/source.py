"""Where inputs are read from: a working tree today, a git tree object for `plan`.

The loader only ever talks to a FileSource, so building an older revision needs no checkout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol


class FileSource(Protocol):
    def list_dir(self, rel: str) -> list[str]:
        """Names directly inside the folder `rel` (sorted), or [] if it does not exist."""

    def is_dir(self, rel: str) -> bool: ...

    def exists(self, rel: str) -> bool: ...

    def size(self, rel: str) -> int: ...

    def read(self, rel: str) -> bytes: ...

    def is_link(self, rel: str) -> bool:
        """True if `rel` or a folder on its way is a symbolic link (never followed: a link
        could point at a file of the CI machine, and findings quote values)."""


class DirectorySource:
    """Reads files below a folder on disk. Paths are POSIX-style and relative to the root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _p(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    def list_dir(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self._p(rel)))
        except OSError:  # missing, not a folder, or not readable: nothing to list
            return []

    def is_dir(self, rel: str) -> bool:
        return self._p(rel).is_dir()

    def exists(self, rel: str) -> bool:
        return self._p(rel).is_file()

    def size(self, rel: str) -> int:
        return self._p(rel).stat().st_size

    def read(self, rel: str) -> bytes:
        return self._p(rel).read_bytes()

    def is_link(self, rel: str) -> bool:
        path = self.root
        for part in rel.split("/"):
            path = path / part
            if path.is_symlink():
                return True
        return False

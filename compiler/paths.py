"""The one rule for artifact paths: relative, inside the build folder, portable file names.

Artifact paths are built from ids and from names a template renders (`$id`), and a school's
value can reach a template. Whatever the schema patterns say, every path is checked here before
anything is written, and the render cache reads back only paths that pass.
"""

from __future__ import annotations

import re

# a file or folder name: ASCII letters, digits, '.', '_', '-', not starting with '.' (so never
# '.' or '..'), short enough for every file system; no '/', '\', ':', NUL or control characters
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
MAX_PATH = 1024


def segment_problem(name: object) -> str:
    """Why `name` cannot be one file name of an artifact path, or ''."""
    if not isinstance(name, str) or not _SEGMENT.match(name):
        shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
        return (
            f"{shown} is not a safe file name (1-128 letters, digits, '.', '_' or '-', "
            "not starting with '.')"
        )
    return ""


def path_problem(rel: object) -> str:
    """Why `rel` cannot be an artifact path inside the build folder, or ''."""
    if not isinstance(rel, str) or not rel or len(rel) > MAX_PATH:
        return f"{rel!r:.60} is not a relative path"
    for part in rel.split("/"):
        problem = segment_problem(part)
        if problem:
            return f"the path {rel!r:.80}: {problem}"
    return ""

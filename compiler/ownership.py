"""Who owns a path, read from a CODEOWNERS file the way GitHub reads it.

- The last matching pattern wins; a pattern without owners leaves its files unowned.
- Patterns are gitignore-like: a leading `/` anchors at the repository root, a pattern without
  a `/` (or with one only at the end) matches at any depth, a trailing `/` matches a folder's
  contents, `*` and `?` stay within one path segment, `**` spans segments, `\\` escapes.
- A pattern that names a file or folder also matches everything below it; a lone `*` segment
  does not (`docs/*` owns `docs/a.md`, not `docs/sub/b.md`).
- GitHub does not support `!` negation or `[ ]` ranges: a `!` line is skipped as an error and
  brackets are ordinary characters. Owners are compared without regard to case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub uses the first


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]


class PatternError(ValueError):
    pass


def _segment(seg: str) -> str:
    out, escaped = [], False
    for ch in seg:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    if not pattern or "***" in pattern or pattern.startswith("!"):
        raise PatternError(f"'{pattern}' is not a pattern GitHub accepts")
    if pattern == "/":
        return re.compile(r"(?!)")  # matches nothing
    segs = pattern.split("/")
    if segs[0] == "":
        segs = segs[1:]  # anchored at the root
    elif (len(segs) == 1 or (len(segs) == 2 and segs[1] == "")) and segs[0] != "**":
        segs = ["**", *segs]  # a bare name matches at any depth
    if len(segs) > 1 and segs[-1] == "":
        segs[-1] = "**"  # a trailing slash: everything inside
    last = len(segs) - 1
    parts: list[str] = []
    slash = False
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0 and i == last:
                parts.append(".+")
            elif i == 0:
                parts.append("(?:.+/)?")
                slash = False
            elif i == last:
                parts.append("/.*")
            else:
                parts.append("(?:/.+)?")
                slash = True
            continue
        if slash:
            parts.append("/")
        if seg == "*":
            parts.append("[^/]+")
        else:
            parts.append(_segment(seg))
            if i == last:
                parts.append("(?:/.*)?")  # a file, or a folder and everything below it
        slash = True
    return re.compile("".join(parts))


def _tokens(line: str) -> list[str]:
    """Whitespace-separated, with `\\ ` keeping a space inside a pattern; `#` starts a comment."""
    out, cur, escaped = [], "", False
    for ch in line:
        if escaped:
            cur += "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch.isspace():
            if cur:
                out.append(cur)
            cur = ""
        elif ch == "#" and not cur:
            break
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def parse(text: str) -> tuple[list[Rule], list[tuple[int, str]]]:
    """The rules in file order, and (line, problem) for lines GitHub would reject."""
    rules, errors = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        tokens = _tokens(raw)
        if not tokens:
            continue
        pattern, owners = tokens[0], tuple(tokens[1:])
        try:
            regex = compile_pattern(pattern)
        except PatternError as exc:
            errors.append((number, str(exc)))
            continue
        rules.append(Rule(pattern, owners, number, regex))
    return rules, errors


def owners_of(rules: list[Rule], path: str) -> tuple[Rule | None, tuple[str, ...]]:
    """The rule that decides `path` (the last that matches) and its owners."""
    for rule in reversed(rules):
        if rule.regex.fullmatch(path):
            return rule, rule.owners
    return None, ()


def owned_by(rules: list[Rule], path: str, owners: tuple[str, ...]) -> bool:
    wanted = {o.lower() for o in owners}
    return any(o.lower() in wanted for o in owners_of(rules, path)[1])

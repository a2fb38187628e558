"""CODEOWNERS read as GitHub reads it: gitignore-like patterns, the last match wins."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.ownership import PatternError, compile_pattern, owned_by, owners_of, parse

# pattern -> {path: matches?}, from GitHub's documented examples and gitignore's rules
CASES: dict[str, dict[str, bool]] = {
    "*": {"README.md": True, "schools/a/school.yaml": True},
    "*.js": {"app.js": True, "src/app.js": True, "app.jsx": False},
    "/build/logs/": {
        "build/logs/a.log": True,
        "build/logs/deep/b.log": True,
        "build/logs": False,
        "x/build/logs/a": False,
    },
    "docs/*": {
        "docs/getting-started.md": True,
        "docs/build-app/troubleshooting.md": False,
        "docs": False,
        "x/docs/a.md": False,
    },
    "apps/": {"apps/a.py": True, "x/apps/a.py": True, "x/apps/deep/a.py": True, "apps": False},
    "/docs/": {"docs/a.md": True, "docs/x/y.md": True, "x/docs/a.md": False},
    "/scripts/": {"scripts/run.sh": True, "tools/scripts/run.sh": False},
    "**/logs": {"logs": True, "a/logs": True, "a/b/logs/x.txt": True, "a/logsx": False},
    "logs": {"logs": True, "a/logs": True, "a/logs/x": True, "logs.txt": False},
    "/logs": {"logs": True, "logs/x": True, "a/logs": False, "logsx": False},
    "foo/bar": {"foo/bar": True, "foo/bar/baz": True, "x/foo/bar": False, "foo/bart": False},
    "foo/*.txt": {"foo/a.txt": True, "foo/a/b.txt": False, "x/foo/a.txt": False},
    "foo/*/baz": {"foo/bar/baz": True, "foo/bar/baz/q": True, "foo/baz": False},
    "foo/**/bar": {"foo/bar": True, "foo/a/b/bar": True, "foo/a/bar/c": True, "x/foo/bar": False},
    "foo/bar/**": {"foo/bar/a": True, "foo/bar/a/b": True, "foo/bar": False},
    "/*": {"README.md": True, "docs/a.md": False},
    "/*/": {"docs": False, "docs/a.md": True, "docs/a/b.md": True},
    "f?o": {"foo": True, "fo": False, "fooo": False, "x/fxo/y": True},
    "/schools/gym-a/": {"schools/gym-a/school.yaml": True, "schools/gym-ab/school.yaml": False},
    "/schoolmdm.yaml": {"schoolmdm.yaml": True, "schools/schoolmdm.yaml": False},
    "a[1]": {"a[1]": True, "a1": False},  # no character ranges on GitHub: brackets are literal
    "f\\*o": {"f*o": True, "foo": False},
    "my\\ file": {"my file": True, "my": False},
}


@pytest.mark.parametrize("pattern", sorted(CASES))
def test_pattern(pattern: str) -> None:
    rules, errors = parse(f"{pattern} @owner\n")
    assert errors == [] and len(rules) == 1
    for path, expected in CASES[pattern].items():
        assert bool(rules[0].regex.fullmatch(path)) is expected, (pattern, path)


def test_last_match_wins_and_empty_owners_unown() -> None:
    rules, _ = parse(
        "# comment\n"
        "* @org/reviewers\n"
        "/schools/gym-a/ @org/gym-a @org/reviewers   # inline comment\n"
        "/schools/gym-a/secret.txt\n"
        "*.md @docs\n"
    )
    assert owners_of(rules, "profiles/wifi.yaml")[1] == ("@org/reviewers",)
    assert owned_by(rules, "schools/gym-a/school.yaml", ("@ORG/Gym-A",))  # case-insensitive
    assert owners_of(rules, "schools/gym-a/secret.txt")[1] == ()
    assert owners_of(rules, "schools/gym-a/README.md")[1] == ("@docs",)
    assert owners_of(rules, "schools/gym-a/school.yaml")[0].line == 3  # type: ignore[union-attr]


def test_lines_github_rejects_are_reported_and_skipped() -> None:
    rules, errors = parse("!schools/ @x\nfoo/***/bar @x\nok @x\n")
    assert [r.pattern for r in rules] == ["ok"]
    assert [line for line, _ in errors] == [1, 2]
    with pytest.raises(PatternError):
        compile_pattern("")
    assert not compile_pattern("/").fullmatch("a")


@given(st.text(max_size=30))
def test_any_line_parses_or_is_reported(line: str) -> None:
    rules, _ = parse(line)
    for rule in rules:
        rule.regex.fullmatch("schools/a/school.yaml")

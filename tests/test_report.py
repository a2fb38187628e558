"""The three output formats of findings."""

from __future__ import annotations

import json

from compiler.diagnostics import Diagnostic
from compiler.report import render

D = [
    Diagnostic(
        "schools/a b/school.yaml",
        3,
        7,
        "unknown-key",
        "unknown key 'x,y: 100%'",
        "did you mean 'id'?",
    ),
    Diagnostic("schools/c/devices.csv", 12, 1, "duplicate-serial", "line one\nline two"),
]


def test_text() -> None:
    assert render(D, "text").splitlines() == [
        "schools/a b/school.yaml:3:7: error unknown-key unknown key 'x,y: 100%'",
        "    hint: did you mean 'id'?",
        "schools/c/devices.csv:12:1: error duplicate-serial line one",
        "line two",
    ]


def test_json_round_trips() -> None:
    data = json.loads(render(D, "json"))
    assert data["count"] == 2
    assert data["diagnostics"][0] == {
        "file": "schools/a b/school.yaml",
        "line": 3,
        "col": 7,
        "severity": "error",
        "code": "unknown-key",
        "message": "unknown key 'x,y: 100%'",
        "hint": "did you mean 'id'?",
    }


def test_github_annotations_escape_what_would_break_them() -> None:
    first, second = render(D, "github").splitlines()
    assert first == (
        "::error file=schools/a b/school.yaml,line=3,col=7,title=unknown-key::"
        "unknown key 'x,y: 100%25' (hint: did you mean 'id'?)"
    )
    # a newline inside a message must not start a second workflow command
    assert (
        second
        == "::error file=schools/c/devices.csv,line=12,col=1,title=duplicate-serial::line one%0Aline two"
    )


def test_properties_escape_commas_and_colons() -> None:
    [line] = render([Diagnostic("a,b:c.yaml", 1, 1, "x", "m")], "github").splitlines()
    assert line.startswith("::error file=a%2Cb%3Ac.yaml,line=1,")


def test_text_and_github_output_never_carry_control_characters() -> None:
    from compiler.diagnostics import Diagnostic
    from compiler.report import format_github, format_text

    d = Diagnostic(
        "schools/x/school.yaml", 3, 7, "invalid-value", "'\x1b[2Jok\x9b' is bad", "hint\x07"
    )
    for out in (format_text([d]), format_github([d])):
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
        assert "\\u001b[2Jok\\u009b" in out and "\\u0007" in out

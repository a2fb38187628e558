"""CSV text as a person sees it: lines end only at CRLF, CR or LF."""

from __future__ import annotations

import pytest

from compiler.csvtext import bad_text, split_lines


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\rc", ["a", "b", "c"]),
        ("a\u2028b\x0cc\x1cd\x85e\x0bf\nz", ["a\u2028b\x0cc\x1cd\x85e\x0bf", "z"]),
        ("", []),
        ("\n", [""]),
    ],
)
def test_split_lines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


def test_bad_text_reports_each_line_once_with_its_column() -> None:
    found = bad_text("f.csv", "ok\nx\x07\x07\r\nfine\u2028y\uffff\n")
    assert [(d.line, d.col) for d in found] == [(2, 2), (3, 7)]
    assert "U+0007" in found[0].message and "U+FFFF" in found[1].message

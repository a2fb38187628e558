"""Formats diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json

from compiler import plaintext
from compiler.diagnostics import Diagnostic

FORMATS = ("text", "json", "github")


def _escape_data(value: str) -> str:
    # GitHub workflow commands: message data escapes %, CR and LF
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def visible(text: str) -> str:
    """Text for a terminal or a log. A finding may quote a hostile file: control characters
    (an escape sequence could recolour or rewrite the log) are shown as escapes."""
    if plaintext.first_bad(text) < 0:
        return text
    return "".join(_escape(c) if plaintext.first_bad(c) == 0 else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def format_text(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        message = visible(d.message)
        lines.append(f"{visible(d.path)}:{d.line}:{d.col}: {d.severity} {d.code} {message}")
        if d.hint:
            lines.append(f"    hint: {visible(d.hint)}")
    return "\n".join(lines)


def format_json(diags: list[Diagnostic]) -> str:
    rows = [
        {
            "file": d.path,
            "line": d.line,
            "col": d.col,
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diags
    ]
    return json.dumps({"diagnostics": rows, "count": len(rows)}, indent=2, ensure_ascii=False)


def format_github(diags: list[Diagnostic]) -> str:
    lines = []
    for d in diags:
        message = visible(d.message + (f" (hint: {d.hint})" if d.hint else ""))
        lines.append(
            f"::{d.severity} file={_escape_prop(visible(d.path))},line={d.line},col={d.col},"
            f"title={_escape_prop(d.code)}::{_escape_data(message)}"
        )
    return "\n".join(lines)


def render(diags: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return format_json(diags)
    if fmt == "github":
        return format_github(diags)
    return format_text(diags)

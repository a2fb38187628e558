"""Reading CSV text as a person sees it: line numbers, positions, characters and the csv
module's errors, in words (devices.csv today; any vendor list tomorrow)."""

from __future__ import annotations

import csv
import re

from compiler import plaintext
from compiler.diagnostics import Diagnostic


def split_lines(text: str) -> list[str]:
    """Physical lines as the csv module counts them (CRLF, CR or LF). Never str.splitlines():
    it also splits at U+2028, form feeds and more, and every later line number would drift."""
    lines = text.split("\n") if "\r" not in text else _LINE_END.split(text)  # LF only: fast
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_LINE_END = re.compile(r"\r\n|\r|\n")


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index], lines as split_lines() counts them."""
    before = text[:index]
    line = len(_LINE_END.findall(before)) + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, index - start + 1


def bad_text(path: str, text: str) -> list[Diagnostic]:
    """Characters no artifact may carry, one finding per line that has any."""
    out: list[Diagnostic] = []
    index = plaintext.first_bad(text)
    while index >= 0 and len(out) < 100:
        line, col = _position(text, index)
        msg = f"the text holds {plaintext.describe(text[index])}"
        out.append(Diagnostic(path, line, col, "invalid-text", msg, plaintext.HINT))
        m = _LINE_END.search(text, index)
        if m is None:
            break
        rest = plaintext.first_bad(text[m.end() :])
        index = -1 if rest < 0 else m.end() + rest
    return out


# what the csv module says, in words a person can act on
_CSV_ERRORS = (
    ("unexpected end of data", 'a quote (") opened in this row is never closed'),
    ("field larger than field limit", "a value is longer than 131,072 characters"),
    ("expected after", "a quoted value must be followed by the delimiter or the end of the line"),
)


def csv_error(path: str, line: int, exc: csv.Error) -> Diagnostic:
    text = str(exc)
    message = next((m for key, m in _CSV_ERRORS if key in text), f"the row cannot be read: {text}")
    hint = 'check the quotes on this line: a quote inside a value is written twice ("")'
    return Diagnostic(path, line, 1, "csv-row", message, hint)

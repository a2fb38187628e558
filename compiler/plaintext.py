"""The one rule for text that may reach an artifact (property list, JSON or XML).

XML 1.0 (and so every `.mobileconfig`) cannot carry most control characters, noncharacters make
ill-formed documents for strict readers, and a lone surrogate cannot even be encoded as UTF-8.
validate applies this to every string of every input, at the value's file:line; render applies
it again to everything it produces, so nothing that slips past validate is ever written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.diagnostics import Diagnostic

if TYPE_CHECKING:
    from compiler.yamlload import Document

# C0 controls except tab, LF and CR; DEL and the C1 controls; lone surrogates; the BMP's
# noncharacters. Noncharacters of the other planes (U+1FFFE, ...) are looked for only in text
# that has characters beyond the BMP at all: a big character class is slow on every character.
_BAD = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff]"
)
_ASTRAL = re.compile("[\\U00010000-\\U0010ffff]")
_PLANE_ENDS = re.compile(
    "["
    + "".join(f"\\U{p * 0x10000 + 0xFFFE:08x}\\U{p * 0x10000 + 0xFFFF:08x}" for p in range(1, 17))
    + "]"
)
HINT = "remove it; it is probably an invisible character from a copy and paste"


class TextError(ValueError):
    """Rendered output would hold text a property list, JSON or XML document cannot carry."""


def describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "the control character"
    else:
        kind = "the noncharacter"
    return f"{kind} U+{code:04X}"


def first_bad(text: str) -> int:
    """Index of the first character that may not reach an artifact, or -1."""
    m = _BAD.search(text)
    found = -1 if m is None else m.start()
    if text.isascii():
        return found
    astral = _ASTRAL.search(text, 0, len(text) if found < 0 else found)
    if astral is not None:
        end = _PLANE_ENDS.search(text, astral.start(), len(text) if found < 0 else found)
        if end is not None:
            return end.start()
    return found


def text_problem(text: str) -> str:
    """Why `text` cannot reach an artifact, or ''."""
    i = first_bad(text)
    return "" if i < 0 else f"the text holds {describe(text[i])}"


def value_problem(value: Any) -> str:
    """The same rule for a scalar of any type: text, or a number JSON can write."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    return ""


def problems(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], bool, str]]:
    """(path, is_key, problem) of every key and scalar in a nested value that breaks the rule."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, str) and first_bad(key) >= 0:
                    yield (*where, key), True, text_problem(key)
                stack.append(((*where, key), sub))
        elif isinstance(item, (list, tuple)):
            stack.extend(((*where, i), sub) for i, sub in enumerate(item))
        else:
            found = value_problem(item)
            if found:
                yield where, False, found


def check_output(value: Any, what: str) -> None:
    """Raise TextError if anything in `value` may not reach an artifact (the render-side guard)."""
    for where, _is_key, problem in problems(value):
        shown = ".".join(str(p) for p in where) or "(top level)"
        raise TextError(f"{what}: {shown}: {problem}")


# What can make a value unfit for an artifact: an escape in a double-quoted scalar (`"\a"`,
# `"\uFFFF"`), a non-finite number (JSON has none), or one of the few unfit characters libyaml
# itself lets through (NEL, noncharacters). Substring tests first: they cost next to nothing.
_NONFINITE = (".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN")
_RAW_UNFIT = re.compile("[\\x85\\ufdd0-\\ufdef\\U00010000-\\U0010ffff]")


def document_findings(doc: Document, text: str) -> list[Diagnostic]:
    """Every key and value that may not reach a property list or JSON, at its position."""
    if (
        "\\" not in text
        and not any(n in text for n in _NONFINITE)
        and (text.isascii() or _RAW_UNFIT.search(text) is None)
    ):
        return []  # nothing to walk: the common case
    out = []
    for where, is_key, problem in problems(doc.data):
        line, col = doc.mark(where, key=is_key)
        shown = ".".join(str(p) for p in where) or "(top level)"
        code = "invalid-text" if "text" in problem else "invalid-number"
        hint = HINT if code == "invalid-text" else "write a finite number"
        out.append(Diagnostic(doc.path, line, col, code, f"{shown}: {problem}", hint))
    return sorted(out)

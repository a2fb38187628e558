"""JSON Schema patterns are ECMA-262 regular expressions: this turns one into a Python `re`
pattern with the same meaning, so the CLI underlines exactly what an editor underlines.

The differences that matter (ECMA-262 with the `u` flag, as editors compile schema patterns):
`$` is the end of the input only (Python's also matches before a final newline), `.` excludes
every line terminator, `\\d` and `\\w` are ASCII, `\\s` is ECMA's whitespace set, and `\\b` uses
ASCII word characters. Syntax that only Python knows (`\\Z`, `(?P<n>`, `(?i)`, `(?#`, `\\a`, ...)
is an error, as it is in the editor. Both the fast checker and jsonschema use `search` below.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WS = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_", "s": _WS}
_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"
_CONTROL = {"t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c", "r": "\r"}
_SYNTAX = set("^$\\.*+?()[]{}|/")
_HEX = set("0123456789abcdefABCDEF")


class PatternError(ValueError):
    """The pattern is not a valid ECMA-262 regular expression (or uses what we cannot mirror)."""


def _lit(char: str) -> str:
    """A single character as a Python pattern literal, safe inside and outside a class."""
    if char.isascii() and char.isalnum():
        return char
    return f"\\U{ord(char):08x}"


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.names: set[str] = set()

    def error(self, message: str) -> PatternError:
        return PatternError(f"{message} at position {self.i} of {self.p!r}")

    def peek(self, n: int = 0) -> str:
        return self.p[self.i + n] if self.i + n < len(self.p) else ""

    def translate(self) -> str:
        out: list[str] = []
        while self.i < len(self.p):
            c = self.p[self.i]
            if c == "\\":
                out.append(self.escape(in_class=False))
            elif c == "[":
                out.append(self.char_class())
            elif c == ".":
                out.append(f"[^{_LINE_TERMINATORS}]")
                self.i += 1
            elif c == "$":
                out.append("\\Z")  # end of input only, never "before a final newline"
                self.i += 1
            elif c == "(":
                out.append(self.group())
            elif c == "{" and self.quantifier_ahead():
                end = self.p.index("}", self.i) + 1
                out.append(self.p[self.i : end])
                self.i = end
            elif c in "{}]":
                raise self.error(f"a lone '{c}' must be escaped")
            else:
                out.append(c)
                self.i += 1
        return "".join(out)

    def quantifier_ahead(self) -> bool:
        return re.match(r"\{[0-9]+(,[0-9]*)?\}", self.p[self.i :]) is not None

    def group(self) -> str:
        rest = self.p[self.i :]
        for ecma in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
            if rest.startswith(ecma):
                self.i += len(ecma)
                return ecma
        m = re.match(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>", rest)
        if m:
            if "$" in m.group(1):
                raise self.error("group names with '$' are not supported")
            self.names.add(m.group(1))
            self.i += m.end()
            return f"(?P<{m.group(1)}>"
        if rest.startswith("(?"):
            raise self.error("'(?' starts a group ECMA-262 does not know")
        self.i += 1
        return "("

    def code_point(self, in_class: bool) -> str:
        """After a backslash: an escape that stands for one character, as that character."""
        c = self.peek()
        if c in _CONTROL:
            self.i += 1
            return _CONTROL[c]
        if c == "c" and self.peek(1).isascii() and self.peek(1).isalpha():
            self.i += 2
            return chr(ord(self.p[self.i - 1]) % 32)
        if c == "0" and not self.peek(1).isdigit():
            self.i += 1
            return "\0"
        digits = self.p[self.i + 1 : self.i + 3]
        if c == "x" and len(digits) == 2 and all(ch in _HEX for ch in digits):
            self.i += 3
            return chr(int(digits, 16))
        if c == "u":
            m = re.match(r"u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})", self.p[self.i :])
            if m:
                value = int(m.group(1) or m.group(2), 16)
                if value > 0x10FFFF:
                    raise self.error("a code point above U+10FFFF")
                self.i += m.end()
                return chr(value)
        if in_class and c == "b":
            self.i += 1
            return "\b"
        if in_class and c == "-":
            self.i += 1
            return "-"
        if c in _SYNTAX:
            self.i += 1
            return c
        raise self.error(f"'\\{c}' is not an ECMA-262 escape" if c else "a trailing backslash")

    def escape(self, in_class: bool) -> str:
        self.i += 1  # the backslash
        c = self.peek()
        if not c:
            raise self.error("a trailing backslash")
        if c.lower() in _CLASSES:
            self.i += 1
            members = _CLASSES[c.lower()]
            return f"[{members}]" if c.islower() else f"[^{members}]"
        if not in_class:
            if c in "bB":
                self.i += 1
                w = _CLASSES["w"]
                ahead, behind = f"(?=[{w}])", f"(?<=[{w}])"
                not_ahead, not_behind = f"(?![{w}])", f"(?<![{w}])"
                boundary = f"(?:{behind}{not_ahead}|{not_behind}{ahead})"
                inside = f"(?:{behind}{ahead}|{not_behind}{not_ahead})"
                return boundary if c == "b" else inside
            if c.isdigit() and c != "0":
                m = re.match(r"[0-9]+", self.p[self.i :])
                assert m is not None
                self.i += m.end()
                return f"(?:\\{m.group()})"
            if c == "k":
                m = re.match(r"k<([A-Za-z_][A-Za-z0-9_]*)>", self.p[self.i :])
                if not m:
                    raise self.error("'\\k' needs a group name: \\k<name>")
                self.i += m.end()
                return f"(?P={m.group(1)})"
            if c in "pP":
                raise self.error("Unicode property escapes (\\p{...}) are not supported")
        return _lit(self.code_point(in_class))

    def class_atom(self) -> tuple[str, str | None]:
        """One member of a class: ('set', python class body) or ('char', the character)."""
        c = self.peek()
        if c == "\\":
            nxt = self.peek(1)
            if not nxt:
                raise self.error("a trailing backslash")
            if nxt.lower() in _CLASSES:
                self.i += 2
                members = _CLASSES[nxt.lower()]
                return ("set" if nxt.islower() else "notset"), members
            if nxt in "pP":
                raise self.error("Unicode property escapes (\\p{...}) are not supported")
            self.i += 1
            return "char", self.code_point(in_class=True)
        if not c:
            raise self.error("an unterminated character class")
        self.i += 1
        return "char", c

    def char_class(self) -> str:
        self.i += 1  # the '['
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        plain: list[str] = []
        negated_sets: list[str] = []
        while self.peek() != "]":
            kind, value = self.class_atom()
            assert value is not None
            if kind == "char" and self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                kind2, high = self.class_atom()
                assert high is not None
                if kind2 != "char":
                    raise self.error("a range cannot end in a class escape")
                if ord(high) < ord(value):
                    raise self.error("a range out of order")
                plain.append(f"{_lit(value)}-{_lit(high)}")
            elif kind == "char":
                plain.append(_lit(value))
            elif kind == "set":
                plain.append(value)
            else:
                negated_sets.append(value)
        self.i += 1  # the ']'
        parts = [f"[{''.join(plain)}]"] if plain else []
        parts += [f"[^{members}]" for members in negated_sets]
        if not parts:  # [] matches nothing, [^] any character
            return "[^\\s\\S]" if not negated else "[\\s\\S]"
        if negated:
            return f"(?:(?!{'|'.join(parts)})[\\s\\S])"
        return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The Python regular expression with the ECMA-262 meaning of `pattern`."""
    parser = _Parser(pattern)
    python = parser.translate()
    try:
        return re.compile(python)
    except (re.error, OverflowError, RecursionError) as exc:
        raise PatternError(f"{pattern!r} is not a valid regular expression: {exc}") from None


def search(pattern: str, text: str) -> bool:
    """JSON Schema's `pattern`: does the pattern match anywhere in `text`?"""
    return compile_pattern(pattern).search(text) is not None


def pattern_problem(pattern: object) -> str:
    """Why `pattern` is not a usable ECMA-262 pattern, or ''."""
    if not isinstance(pattern, str):
        return "a pattern is text"
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return str(exc)
    return ""

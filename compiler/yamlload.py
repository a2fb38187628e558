"""Strict YAML reading that remembers where every value came from.

We build values straight from libyaml's event stream (no recursion, so deep nesting cannot crash
the process) and apply YAML 1.2 core-schema meaning ourselves: `no`/`on` stay text, `012` stays
text, `12:30` stays text. Duplicate keys, anchors, aliases, unknown tags and multiple documents are
findings, not silent surprises.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from compiler import plaintext
from compiler.diagnostics import Diagnostic
from compiler.text import decode_text

Path_ = tuple[str | int, ...]
Mark = tuple[int, int]  # 1-based line, column

MAX_DEPTH = 64
MAX_INT_DIGITS = 4000  # below Python's int/str conversion limit; no setting needs more

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)$")
_OCT = re.compile(r"0o[0-7]+$")
_HEX = re.compile(r"0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"\.(nan|NaN|NAN)$")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

_T = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(_T + n for n in ("str", "int", "float", "bool", "null", "map", "seq"))


@dataclass
class Document:
    """A parsed file: plain Python data plus the position of every value and key."""

    path: str
    data: Any = None
    marks: dict[Path_, Mark] = field(default_factory=dict)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)
    # the source text of plain scalars that became numbers, for "write it in quotes" hints
    raw: dict[Path_, str] = field(default_factory=dict)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """Best position for `path`: the value (or its key), else the nearest parent."""
        p = tuple(path)
        while True:
            if key and p in self.key_marks:
                return self.key_marks[p]
            if p in self.marks:
                return self.marks[p]
            if p in self.key_marks:
                return self.key_marks[p]
            if not p:
                return (1, 1)
            p = p[:-1]


class YamlError(Exception):
    def __init__(self, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.col, self.code, self.message, self.hint = line, col, code, message, hint


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema for plain scalars, keeping leading-zero numbers as text."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    c = text[:1]
    if c.isdigit() or c in "-+.":
        if _INT.match(text):
            if len(text) > MAX_INT_DIGITS:  # Python refuses to convert longer decimal text
                raise ValueError(f"a whole number with {len(text)} digits")
            return int(text)
        if _HEX.match(text):
            return int(text[2:], 16)
        if _OCT.match(text):
            return int(text[2:], 8)
        if _FLOAT.match(text) and not re.match(r"[-+]?0[0-9]", text):
            return float(text)
        if _INF.match(text):
            return -math.inf if text.startswith("-") else math.inf
        if _NAN.match(text):
            return math.nan
    return text


_SCALAR_TAGS = {"int": int, "float": (float, int), "bool": bool, "null": type(None)}


def _tagged(tag: str, value: str, line: int, col: int) -> Any:
    kind = tag[len(_T) :]
    if kind == "str":
        return value
    expect = _SCALAR_TAGS.get(kind)
    if expect is None:  # !!map or !!seq on a plain value
        raise YamlError(line, col, "yaml-tag", f"{_short(value)} is not a valid !!{kind}")
    try:
        resolved = resolve_plain(value)
    except ValueError:
        resolved = value
    if isinstance(resolved, bool) and kind != "bool":
        resolved = value
    if not isinstance(resolved, expect):  # type: ignore[arg-type]
        raise YamlError(line, col, "yaml-tag", f"{_short(value)} is not a valid !!{kind}")
    return float(resolved) if kind == "float" else resolved


def _short(text: str) -> str:
    """A value for a message: quoted, at most about 40 characters."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


def _pos(event: Any) -> Mark:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


def _check_tag(event: Any) -> None:
    tag = event.tag
    if tag is not None and tag not in _ALLOWED_TAGS and tag != "!":
        line, col = _pos(event)
        raise YamlError(
            line,
            col,
            "yaml-tag",
            f"the tag {_short(_tag_name(tag))} is not allowed",
            "remove the tag; plain values are enough",
        )


def _scalar(event: Any) -> Any:
    _check_tag(event)
    if event.tag in _ALLOWED_TAGS:
        return _tagged(event.tag, event.value, *_pos(event))
    if event.style == "" and event.implicit[0]:
        try:
            return resolve_plain(event.value)
        except ValueError as exc:
            hint = "write it in quotes if it is text; no setting takes such a number"
            raise YamlError(*_pos(event), "yaml-syntax", f"{exc} is too long", hint) from None
    return event.value


class _Frame:
    __slots__ = ("container", "key", "key_mark", "path")

    def __init__(self, container: Any, path: Path_) -> None:
        self.container = container
        self.path = path
        self.key: Any = _NO_KEY
        self.key_mark: Mark = (0, 0)


_NO_KEY = object()


class _Progress:
    """How far composing got: the depth and the end of the last event, so a nesting error
    from libyaml itself (it stops at 1,000 levels, and may stop before sending us the events)
    can be placed where our own limit was crossed."""

    __slots__ = ("depth", "end")

    def __init__(self) -> None:
        self.depth = 0
        self.end = 0


def _compose(text: str, doc: Document, progress: _Progress) -> None:
    stack: list[_Frame] = []
    documents = 0
    root_set = False

    def place(value: Any, mark: Mark, raw: str | None) -> Path_ | None:
        """Put a finished value into the current container; return its path."""
        nonlocal root_set
        if not stack:
            doc.data, root_set = value, True
            doc.marks[()] = mark
            return ()
        top = stack[-1]
        if isinstance(top.container, list):
            path = (*top.path, len(top.container))
            top.container.append(value)
        elif top.key is _NO_KEY:
            if not isinstance(value, (str, int, float, bool)) or value is None:
                raise YamlError(*mark, "yaml-key", "a mapping key must be a plain value")
            key = value if isinstance(value, str) else str(value)
            if key in top.container:
                first = doc.key_marks.get((*top.path, key), (0, 0))
                raise YamlError(
                    *mark,
                    "duplicate-key",
                    f"the key '{key}' appears twice in this mapping (first at line {first[0]})",
                    "keep one of them; YAML would silently use only the last",
                )
            top.key, top.key_mark = key, mark
            return None
        else:
            path = (*top.path, top.key)
            top.container[top.key] = value
            doc.key_marks[path] = top.key_mark
            top.key = _NO_KEY
        doc.marks[path] = mark
        if raw is not None:
            doc.raw[path] = raw
        return path

    event: Any
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        name = type(event).__name__
        if name == "ScalarEvent":
            if event.anchor:
                raise YamlError(
                    *_pos(event),
                    "yaml-anchor",
                    f"anchors ('&{event.anchor}') are not allowed",
                    "write the value out where it is used",
                )
            value = _scalar(event)
            raw = event.value if event.style == "" and not isinstance(value, str) else None
            place(value, _pos(event), raw)
        elif name in ("MappingStartEvent", "SequenceStartEvent"):
            if event.anchor:
                raise YamlError(
                    *_pos(event),
                    "yaml-anchor",
                    f"anchors ('&{event.anchor}') are not allowed",
                    "write the value out where it is used",
                )
            _check_tag(event)
            want = _T + ("map" if name == "MappingStartEvent" else "seq")
            if event.tag is not None and event.tag != "!" and event.tag != want:
                raise YamlError(
                    *_pos(event),
                    "yaml-tag",
                    f"the tag {_short(_tag_name(event.tag))} does not fit a {'mapping' if want.endswith('map') else 'list'}",
                    "remove the tag; plain values are enough",
                )
            if len(stack) >= MAX_DEPTH:
                raise YamlError(
                    *_pos(event), "yaml-depth", f"values are nested deeper than {MAX_DEPTH} levels"
                )
            container: Any = {} if name == "MappingStartEvent" else []
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                raise YamlError(*_pos(event), "yaml-key", "a mapping key must be a plain value")
            path = place(container, _pos(event), None)
            assert path is not None
            stack.append(_Frame(container, path))
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            stack.pop()
        elif name == "AliasEvent":
            raise YamlError(
                *_pos(event),
                "yaml-alias",
                f"aliases ('*{event.anchor}') are not allowed",
                "write the value out where it is used",
            )
        elif name == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                raise YamlError(
                    *_pos(event),
                    "yaml-multi-doc",
                    "a file holds exactly one YAML document",
                    "remove the second '---' and what follows, or move it to its own file",
                )
        progress.depth, progress.end = len(stack), event.end_mark.index
    if not root_set:
        doc.data = None


def load_yaml(path: str, data: bytes, max_bytes: int) -> tuple[Document, list[Diagnostic]]:
    """Parse one YAML file strictly. On any error the document's data is None."""
    doc = Document(path)
    if len(data) > max_bytes:
        return doc, [
            Diagnostic(
                path,
                1,
                1,
                "file-too-large",
                f"the file has {len(data)} bytes; the limit is {max_bytes}",
                "split it up, or ask the IT centre to raise limits.max_yaml_bytes",
            )
        ]
    text, diag = decode_text(path, data)
    if diag or text is None:
        return doc, [diag] if diag else []
    progress = _Progress()
    try:
        _compose(text, doc, progress)
    except yaml.YAMLError as exc:
        error = _from_libyaml(exc, text, progress)
    except YamlError as exc:
        error = exc
    else:
        return doc, plaintext.document_findings(doc, text)
    doc.data = None
    return doc, [Diagnostic(path, error.line, error.col, error.code, error.message, error.hint)]


def _line_col(text: str, index: int) -> Mark:
    """1-based line and column of the character at `index`."""
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - start + 1


def _depth_mark(text: str, progress: _Progress, stop: int) -> Mark:
    """Where nesting first goes deeper than MAX_DEPTH, scanning the flow brackets libyaml read
    past the last event it sent (quoted text and comments do not count)."""
    depth, i, quote = progress.depth, progress.end, ""
    while i < stop:
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n"):
            i = text.find("\n", i)
            if i < 0:
                break
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _line_col(text, i)
        elif c in "]}":
            depth -= 1
        i += 1
    return _line_col(text, stop)


def _from_libyaml(exc: yaml.YAMLError, text: str, progress: _Progress) -> YamlError:
    """libyaml's errors, with a 1-based position and words a person can act on."""
    if isinstance(exc, yaml.reader.ReaderError):
        # the reader counts bytes of the UTF-8 text, not characters
        position = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
        before = text[:position]
        line, col = before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"the character {char!r} (U+{ord(char):04X}) is not allowed in YAML"
        hint = "remove it; it is probably an invisible control character from a copy and paste"
        return YamlError(line, col, "yaml-syntax", message, hint)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == "exceeded maximum nesting depth":
            # libyaml's own limit (PyYAML >= 6.0.4): ours is lower, so say what ours says
            line, col = _depth_mark(text, progress, mark.index if mark else len(text))
            return YamlError(
                line, col, "yaml-depth", f"values are nested deeper than {MAX_DEPTH} levels"
            )
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        hint = "check indentation, colons and quotes around this line"
        return YamlError(line, col, "yaml-syntax", f"YAML syntax error: {msg}", hint)
    return YamlError(1, 1, "yaml-syntax", f"YAML syntax error: {exc}")

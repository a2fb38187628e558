"""Render reviewer-owned YAML templates, one string scalar at a time, in a Jinja2 sandbox.

Templates are parsed as YAML first, so a school's value can never change the document's
structure: whatever it contains (`{{ }}`, `</string><key>`, YAML syntax) ends up as literal text.
A scalar that is exactly `{{ expr }}` keeps the type of `expr` (a number stays a number).
Mapping items may carry directives: `$when: expr` drops the item unless true, `$for: x in expr`
(on a list item) repeats it once per element. A value that renders to nothing (None) is dropped,
so optional keys need no `$when`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from html import escape
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from compiler.yamlload import Document, Path_

_NATIVE = re.compile(r"\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.S)
_FOR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", re.S)
_DROP = object()
# what a reviewer's expression can raise; each becomes a finding at the template's line
_RENDER_ERRORS = (
    TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    AttributeError,
    KeyError,
    IndexError,
    RecursionError,
)


class TemplateFailure(Exception):
    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.col, self.message = path, line, col, message


class EmptyProfile(TemplateFailure):
    """A school's values leave a profile with nothing to put on a device: a finding at the
    school's file, since the school (not the template) can fix it."""


def _pem_to_der(pem: str) -> bytes:
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


def _b64(value: bytes | str) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


def _xml_attr(value: Any) -> str:
    """A value for an XML attribute inside an ADMX policy string, without the quotes."""
    return escape(str(value), quote=True)  # & < > " ' (xml.sax.saxutils costs 30 ms to import)


class Engine:
    """One sandbox for a whole build; compiled expressions are cached across schools."""

    def __init__(self, filters: dict[str, Callable[..., Any]] | None = None) -> None:
        self.env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self.env.filters.update({"der": _pem_to_der, "b64": _b64, "xml_attr": _xml_attr})
        if filters:
            self.env.filters.update(filters)
        self._cache: dict[str, Callable[[dict[str, Any]], Any]] = {}

    def _compile(self, text: str) -> Callable[[dict[str, Any]], Any]:
        fn = self._cache.get(text)
        if fn is None:
            m = _NATIVE.match(text)
            if m:
                expr = self.env.compile_expression(m.group("expr"), undefined_to_none=False)

                def fn(ctx: dict[str, Any], expr: Any = expr) -> Any:
                    value = expr(**ctx)
                    if isinstance(value, Undefined):
                        value._fail_with_undefined_error()  # StrictUndefined: raise, never pass on
                    return value
            else:
                template = self.env.from_string(text)

                def fn(ctx: dict[str, Any], template: Any = template) -> Any:
                    return template.render(ctx)

            self._cache[text] = fn
        return fn

    def render(self, doc: Document, node: Any, ctx: dict[str, Any], path: Path_ = ()) -> Any:
        """Render `node` (part of `doc.data` at `path`) in context `ctx`."""
        return self._value(doc, node, ctx, path)

    def _eval(self, doc: Document, text: str, ctx: dict[str, Any], path: Path_) -> Any:
        if "{" not in text:
            return text
        try:
            return self._compile(text)(ctx)
        except _RENDER_ERRORS as exc:
            line, col = doc.mark(path)
            raise TemplateFailure(doc.path, line, col, f"{type(exc).__name__}: {exc}") from None

    def _value(self, doc: Document, node: Any, ctx: dict[str, Any], path: Path_) -> Any:
        if isinstance(node, str):
            return self._eval(doc, node, ctx, path)
        if isinstance(node, list):
            return self._list(doc, node, ctx, path)
        if isinstance(node, dict):
            if "$when" in node and not self._truth(doc, node["$when"], ctx, (*path, "$when")):
                return _DROP
            if "$for" in node:
                line, col = doc.mark((*path, "$for"))
                raise TemplateFailure(doc.path, line, col, "'$for' works only on an item of a list")
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key in ("$when",):
                    continue
                rendered = self._value(doc, value, ctx, (*path, key))
                if rendered is not None and rendered is not _DROP:
                    out[key] = rendered
            return out
        return node

    def _truth(self, doc: Document, cond: Any, ctx: dict[str, Any], path: Path_) -> bool:
        value = self._eval(doc, cond, ctx, path) if isinstance(cond, str) else cond
        return bool(value)

    def _list(self, doc: Document, node: list[Any], ctx: dict[str, Any], path: Path_) -> list[Any]:
        out: list[Any] = []
        for i, item in enumerate(node):
            ipath = (*path, i)
            if isinstance(item, dict) and "$for" in item:
                spec = item["$for"]
                m = _FOR.match(spec) if isinstance(spec, str) else None
                if not m:
                    line, col = doc.mark((*ipath, "$for"))
                    raise TemplateFailure(
                        doc.path, line, col, "'$for' must look like 'item in list'"
                    )
                seq = self._eval(doc, "{{" + m.group(2) + "}}", ctx, (*ipath, "$for"))
                if seq is None:
                    continue
                if isinstance(seq, (str, bytes, dict)) or not hasattr(seq, "__iter__"):
                    line, col = doc.mark((*ipath, "$for"))
                    raise TemplateFailure(
                        doc.path, line, col, f"'$for' needs a list, not {type(seq).__name__}"
                    )
                body = {k: v for k, v in item.items() if k != "$for"}
                for n, element in enumerate(seq):
                    inner = {**ctx, m.group(1): element, "loop_index": n + 1}
                    rendered = self._value(doc, body, inner, ipath)
                    if rendered is not _DROP and rendered is not None:
                        out.append(rendered)
            else:
                rendered = self._value(doc, item, ctx, ipath)
                if rendered is not _DROP and rendered is not None:
                    out.append(rendered)
        return out

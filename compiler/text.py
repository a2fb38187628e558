"""Input files are UTF-8 text: decoding that reports where it is not."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic


def decode_text(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    """Strict UTF-8 (an optional BOM is dropped); the position of a bad byte is reported."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, Diagnostic(
            path, 1, 1, "not-utf8", "the file is UTF-16, not UTF-8", "save it as UTF-8"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        # count characters, not bytes, up to the bad byte on its line
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        return None, Diagnostic(
            path,
            line,
            col,
            "not-utf8",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save it as UTF-8 text; binary files do not belong here",
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, Diagnostic(
            path,
            line,
            1,
            "not-text",
            "the file contains a NUL byte",
            "binary files do not belong here",
        )
    return text, None

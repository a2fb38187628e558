"""Diagnostics: what the compiler tells a person about their inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding in one file. Ordered by file, line, column, then code."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: str = field(default="error", compare=False)


class Collector:
    """Collects findings from every stage; nothing is fail-fast."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, path: str, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, col, code, message, hint))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))

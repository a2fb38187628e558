"""What a deploy or drift run tells: one entry per operation (key, action, status, request id,
what changed), as a JSON report, a Markdown summary for the GitHub job summary, and progress on
the way (a bar on a terminal, plain lines in CI). Every text passes the redactor first, so a
secret value or token that a service echoes back never reaches output.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

FAILED = "failed"


@dataclass
class Entry:
    key: str
    action: str  # create update replace delete assign link unlink import lookup unchanged orphan duplicate
    status: str  # ok | failed | planned | unchanged | skipped | warning
    request_id: str | None = None
    changes: list[str] = field(default_factory=list)
    error: str | None = None


class Progress:
    """Plain lines (CI, pipes); `RichProgress` draws a bar on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def phase(self, name: str) -> None:
        print(f"-- {name}", file=self.stream, flush=True)

    def entry(self, e: Entry) -> None:
        if e.status in ("unchanged",):
            return
        rid = f" (request {e.request_id})" if e.request_id else ""
        err = f": {e.error}" if e.error else ""
        if e.status == "warning" and e.changes:
            err = f": {e.changes[0]}"
        print(f"{e.status:9} {e.action:9} {e.key}{rid}{err}", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class RichProgress(Progress):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self.task = self.bar.add_task("deploy", total=None)
        self.bar.start()

    def phase(self, name: str) -> None:
        self.bar.update(self.task, description=name)

    def entry(self, e: Entry) -> None:
        self.bar.advance(self.task)
        if e.status == FAILED:
            self.bar.console.print(
                f"[red]failed[/red] {e.action} {e.key}: {e.error}", markup=True, highlight=False
            )

    def close(self) -> None:
        self.bar.stop()


def progress_for(stream: TextIO, env: dict[str, str]) -> Progress:
    if stream.isatty() and not env.get("CI"):
        return RichProgress(stream)
    return Progress(stream)


class Report:
    def __init__(self, redact: Callable[[str], str], progress: Progress | None = None) -> None:
        self.redact = redact
        self.progress = progress or Progress(sys.stderr)
        self.entries: list[Entry] = []
        self.notes: list[str] = []

    def phase(self, name: str) -> None:
        self.progress.phase(name)

    def note(self, text: str) -> None:
        self.notes.append(self.redact(text))

    def add(
        self,
        key: str,
        action: str,
        status: str,
        request_id: str | None = None,
        changes: list[str] | None = None,
        error: str | None = None,
    ) -> None:
        e = Entry(
            key,
            action,
            status,
            request_id,
            [self.redact(c) for c in changes or []],
            self.redact(error) if error else None,
        )
        self.entries.append(e)
        self.progress.entry(e)

    @property
    def failed(self) -> bool:
        return any(e.status == FAILED for e in self.entries)

    def counts(self) -> Counter[tuple[str, str]]:
        return Counter((e.action, e.status) for e in self.entries)

    def as_json(self, meta: dict[str, Any]) -> dict[str, Any]:
        summary = Counter(e.status for e in self.entries)
        return {
            **meta,
            "failed": self.failed,
            "summary": dict(sorted(summary.items())),
            "notes": self.notes,
            "operations": [asdict(e) for e in self.entries],
        }

    def write_json(self, path: Path, meta: dict[str, Any]) -> None:
        text = self.redact(json.dumps(self.as_json(meta), indent=2, ensure_ascii=False)) + "\n"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)

    def markdown(self, title: str) -> str:
        lines = [f"### {title}", ""]
        counts = Counter(e.status for e in self.entries)
        lines.append(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do")
        lines.append("")
        for note in self.notes:
            lines.append(f"> {note}")
        shown = [e for e in self.entries if e.status not in ("unchanged",)]
        if shown:
            lines += ["| status | action | object | details |", "|---|---|---|---|"]
            for e in shown[:500]:
                detail = e.error or "; ".join(e.changes[:3])
                lines.append(f"| {e.status} | {e.action} | `{e.key}` | {_cell(detail)} |")
            if len(shown) > 500:
                lines.append(f"| … | | {len(shown) - 500} more in the JSON report | |")
        return self.redact("\n".join(lines)) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:200]

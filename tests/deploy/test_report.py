"""The report: JSON of every operation, the job summary, progress on a terminal or in CI."""

from __future__ import annotations

import io
import json
from pathlib import Path

from compiler.deploy.report import Progress, Report, RichProgress, progress_for
from compiler.deploy.secrets import Redactor


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def sample(stream: io.StringIO) -> Report:
    redact = Redactor()
    redact.add("hunter2-secret")
    report = Report(redact, Progress(stream))
    report.add("a/windows/policy/x", "create", "ok", request_id="rid-1")
    report.add(
        "a/windows/policy/y",
        "update",
        "failed",
        error="HTTP 400: bad value 'hunter2-secret' | pipe",
    )
    report.add("a/windows/policy/z", "unchanged", "unchanged")
    return report


def test_json_report_has_every_operation_and_no_secret(tmp_path: Path) -> None:
    report = sample(io.StringIO())
    path = tmp_path / "r.json"
    report.write_json(path, {"mode": "deploy"})
    data = json.loads(path.read_text())
    assert data["failed"] is True and data["summary"] == {"failed": 1, "ok": 1, "unchanged": 1}
    assert [o["key"] for o in data["operations"]] == [
        "a/windows/policy/x",
        "a/windows/policy/y",
        "a/windows/policy/z",
    ]
    assert data["operations"][0]["request_id"] == "rid-1"
    assert "hunter2-secret" not in path.read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_summary_is_a_markdown_table_without_unchanged_rows() -> None:
    text = sample(io.StringIO()).markdown("Deploy to Intune")
    assert text.startswith("### Deploy to Intune\n")
    assert "| failed | update | `a/windows/policy/y` | HTTP 400: bad value '***' \\| pipe |" in text
    assert "policy/z" not in text


def test_plain_lines_in_ci_and_a_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    sample(stream)
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == ["ok", "create", "a/windows/policy/x", "(request", "rid-1)"]
    assert len(lines) == 2  # unchanged objects are not listed
    assert type(progress_for(io.StringIO(), {})) is Progress
    assert type(progress_for(Tty(), {"CI": "true"})) is Progress
    bar = progress_for(Tty(), {})
    assert isinstance(bar, RichProgress)
    bar.close()

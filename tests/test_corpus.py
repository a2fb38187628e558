"""The bad-input corpus: every case in tests/corpus/ against `python -m compiler validate`.

Each case is data (see tests/corpus/README.md). It is applied to a fresh copy of the mini estate;
the real entry point runs in a subprocess, so a crash, a hang or a segfault fails the case too.
"""

from __future__ import annotations

import binascii
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import make_mini_estate, run_module

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))
SECONDS = 2.0


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= {"description", "edits", "expect", "build"}, path.name
    assert case["edits"], path.name
    return case


def apply_edit(root: Path, edit: dict[str, Any]) -> None:
    target = root / edit["file"]
    kinds = set(edit) - {"file"}
    assert len(kinds) == 1, edit
    (kind,) = kinds
    value = edit[kind]
    if kind == "mkdir":
        target.mkdir(parents=True)
        return
    if kind == "delete":
        target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "write":
        target.write_bytes(value.encode("utf-8"))
    elif kind == "write_latin1":
        target.write_bytes(value.encode("latin-1"))
    elif kind == "write_utf16":
        target.write_bytes(value.encode("utf-16"))
    elif kind == "write_hex":
        target.write_bytes(binascii.unhexlify(value))
    elif kind == "repeat":
        text = value.get("head", "") + value["body"] * value["times"] + value.get("tail", "")
        target.write_bytes(text.encode("utf-8"))
    elif kind == "append":
        target.write_bytes(target.read_bytes() + value.encode("utf-8"))
    elif kind == "replace":
        old, new = value
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {edit['file']}"
        target.write_bytes(text.replace(old, new).encode("utf-8"))
    else:
        raise AssertionError(f"unknown edit kind {kind!r}")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_mini_estate(tmp_path_factory.mktemp("corpus") / "estate")


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_case(case_path: Path, pristine: Path, tmp_path: Path) -> None:
    case = load_case(case_path)
    root = tmp_path / "estate"
    shutil.copytree(pristine, root)
    for edit in case["edits"]:
        apply_edit(root, edit)
    expect = case["expect"]

    start = time.perf_counter()
    proc = run_module(["validate", "--format", "json"], root)
    elapsed = time.perf_counter() - start

    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert elapsed < SECONDS, f"took {elapsed:.2f}s"
    if expect.get("exit") == 0:
        assert proc.returncode == 0, proc.stdout
        assert json.loads(proc.stdout) == {"diagnostics": [], "count": 0}
        check_build(case, root)
        return

    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    rows = json.loads(proc.stdout)["diagnostics"]
    want = (expect["code"], expect["file"], expect["line"])
    hits = [r for r in rows if (r["code"], r["file"], r["line"]) == want]
    assert hits, f"expected {want} in {[(r['code'], r['file'], r['line']) for r in rows]}"
    if "col" in expect:
        assert any(r["col"] == expect["col"] for r in hits), hits
    if "hint" in expect:
        assert any(expect["hint"] in r["hint"] for r in hits), hits
    allowed = {expect["code"], *expect.get("also", [])}
    assert {r["code"] for r in rows} <= allowed, rows


def check_build(case: dict[str, Any], root: Path) -> None:
    """For a clean case: build in a subprocess and look for (or not for) text in the output."""
    if not case.get("build"):
        return
    proc = run_module(["build"], root)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check in case["build"]:
        text = (root / "build" / check["file"]).read_text(encoding="utf-8")
        for needle in check.get("contains", []):
            assert needle in text, (check["file"], needle)
        for needle in check.get("absent", []):
            assert needle not in text, (check["file"], needle)

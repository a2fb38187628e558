"""One text rule for everything that reaches a property list, JSON or XML: validate reports it
at the value's file:line, and render refuses anything that slips past."""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path

import pytest

from compiler.artifact import canonical_json
from compiler.plaintext import TextError, problems, text_problem, value_problem
from compiler.render.apple import serialize
from tests.helpers import edit, findings, line_of, only, run_cli, write

GYM = "schools/gym-a/school.yaml"

BAD = [
    "\x00",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\ud800",
    "\udfff",
    "\ufdd0",
    "\ufffe",
    "\uffff",
    "\U0001fffe",
    "\U0010ffff",
]
GOOD = ["\t", "\n", "\r", " ", "ü", "\u00a0", "\u2028", "\ufeff", "\ufffd", "😀", "\U0010fffd"]


@pytest.mark.parametrize("char", BAD)
def test_bad_characters(char: str) -> None:
    assert text_problem(f"a{char}b")
    assert f"U+{ord(char):04X}" in text_problem(f"a{char}b")


@pytest.mark.parametrize("char", GOOD)
def test_good_characters(char: str) -> None:
    assert text_problem(f"a{char}b") == ""


def test_keys_values_and_numbers_are_all_walked() -> None:
    value = {"ok": ["fine", {"k\x07": 1}], "n": float("inf"), "s": "x\uffff"}
    found = sorted((p, k) for p, k, _ in problems(value))
    assert found == [(("n",), False), (("ok", 1, "k\x07"), True), (("s",), False)]
    assert value_problem(float("nan"))


@pytest.mark.parametrize(
    ("old", "new", "col"),
    [
        ("name: Gymnasium A", 'name: "Gymnasium \\a A"', 7),  # build used to die in plistlib
        ("name: Gymnasium A", 'name: "Gymnasium A\\uFFFF"', 7),  # used to build ill-formed XML
        ("name: Gymnasium A", 'name: "Gymnasium A\\x85"', 7),
        ("ssid: GymA-Schule", 'ssid: "GymA\\e[31m"', 11),
        ("allow_camera: true", '"allow_\\bcamera": true', 5),
    ],
)
def test_validate_reports_the_value_at_its_line(
    mini_estate: Path, old: str, new: str, col: int
) -> None:
    edit(mini_estate, GYM, old, new)
    line = line_of(mini_estate, GYM, new)
    diag = only(findings(mini_estate), "invalid-text")
    assert (diag.path, diag.line, diag.col) == (GYM, line, col)
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 1
    assert not (mini_estate / "build").exists()


def test_every_input_file_is_checked(mini_estate: Path) -> None:
    edit(mini_estate, "catalog/apps/pages.yaml", "name: Pages", 'name: "Pages\\u0008"')
    edit(mini_estate, "profiles/webclips.yaml", "id: webclips", 'id: webclips\nx-note: "\\u009b"')
    found = [d for d in findings(mini_estate) if d.code == "invalid-text"]
    assert {d.path for d in found} >= {"catalog/apps/pages.yaml", "profiles/webclips.yaml"}


def test_non_finite_numbers_are_findings(mini_estate: Path) -> None:
    edit(mini_estate, GYM, "allow_camera: true", "allow_camera: .inf")
    assert "invalid-number" in {d.code for d in findings(mini_estate)}


def test_a_template_that_makes_a_control_character_is_refused_not_a_crash(
    mini_estate: Path,
) -> None:
    # the template's own text is fine; its expression makes the character at render time
    edit(
        mini_estate,
        "templates/apple/webclips.yaml.j2",
        'Label: "{{ clip.label }}"',
        "Label: \"{{ clip.label ~ '\\\\x07' }}\"",
    )
    assert findings(mini_estate) == []
    result = run_cli(["build"], mini_estate)
    assert result.exit_code == 1
    assert "template-error" in result.stdout
    assert "U+0007" in result.stdout
    assert not (mini_estate / "build").exists()


def test_serialize_and_json_refuse_instead_of_writing() -> None:
    for bad in ("\x07", "\uffff", "\ud800"):
        with pytest.raises(TextError):
            serialize({"PayloadDisplayName": f"x{bad}"}, binary=False)
        with pytest.raises(TextError):
            canonical_json({"displayName": f"x{bad}"})
    with pytest.raises(TextError):
        canonical_json({"n": float("nan")})
    # the good characters survive a round trip through plistlib and libplist
    text = "".join(GOOD)
    data = serialize({"k": text}, binary=False)
    assert plistlib.loads(data)["k"] == text.replace("\r", "\n")  # XML turns CR into LF


def test_devices_csv_bad_text_has_its_line(mini_estate: Path) -> None:
    write(
        mini_estate,
        "schools/gym-a/devices.csv",
        "serial,mac,asset_tag,model\nDMPA00000001,02:4b:00:00:00:01,GA-0001,iPad\u009b\n",
    )
    diag = only(findings(mini_estate), "invalid-text")
    assert (diag.path, diag.line, diag.col) == ("schools/gym-a/devices.csv", 2, 44)


def test_plistutil_reads_what_serialize_writes(tmp_path: Path) -> None:
    from tests.support.tools import require_tool

    plistutil = require_tool("plistutil", "libplist-utils")
    path = tmp_path / "p.plist"
    path.write_bytes(serialize({"k": "".join(GOOD)}, binary=False))
    proc = subprocess.run(
        [plistutil, "-i", str(path), "-f", "json"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr

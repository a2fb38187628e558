"""Strict YAML: YAML 1.2 meanings, positions, and every way a file can be hostile or broken."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time

import pytest

from compiler.yamlload import Document, load_yaml, resolve_plain
from tests.helpers import REPO

LIMIT = 1_048_576


def load(text: str | bytes, max_bytes: int = LIMIT) -> tuple[Document, list[tuple[int, int, str]]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    doc, diags = load_yaml("f.yaml", data, max_bytes)
    for d in diags:
        assert d.path == "f.yaml"
    return doc, [(d.line, d.col, d.code) for d in diags]


def value(text: str) -> object:
    doc, diags = load(f"v: {text}\n")
    assert diags == []
    return doc.data["v"]


# --- YAML 1.2 meaning -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["no", "on", "off", "yes", "y", "n", "No", "ON", "Off", "YES", "Y", "N"]
)
def test_yaml11_booleans_stay_text(text: str) -> None:
    assert value(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("FALSE", False),
        ("12", 12),
        ("-3", -3),
        ("+12", 12),
        ("0", 0),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("-.5", -0.5),
        ("1e3", 1000.0),
        ("012", "012"),
        ("00", "00"),
        ("08.5", "08.5"),
        ("0777", "0777"),
        ("12:30", "12:30"),
        ("1:20:30", "1:20:30"),
        ("2024-01-31", "2024-01-31"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("", None),
        ("'no'", "no"),
        ('"012"', "012"),
        ("'1.10'", "1.10"),
        ("!!str 12", "12"),
        ("!!int '7'", 7),
        ("!!float 1", 1.0),
    ],
)
def test_yaml12_core_schema(text: str, expected: object) -> None:
    got = value(text)
    assert got == expected
    assert type(got) is type(expected)


def test_leading_zero_number_is_text_not_octal() -> None:
    # YAML 1.1 would read 012 as 10 and 0777 as 511
    assert value("012") == "012"
    assert resolve_plain("0777") == "0777"


def test_special_floats_are_read_but_no_artifact_can_carry_them() -> None:
    for text, expected in ((".inf", math.inf), ("-.inf", -math.inf)):
        doc, diags = load(f"v: {text}\n")
        assert doc.data == {"v": expected}
        assert diags == [(1, 4, "invalid-number")]  # JSON has no Infinity or NaN
    doc, diags = load("v: .nan\n")
    assert math.isnan(doc.data["v"])
    assert diags == [(1, 4, "invalid-number")]


def test_version_like_number_is_a_float_but_its_text_is_kept() -> None:
    doc, diags = load("app:\n  version: 1.10\n  build: 0x1F\n  name: x\n")
    assert diags == []
    assert doc.data["app"]["version"] == 1.1
    assert isinstance(doc.data["app"]["version"], float)
    assert doc.raw[("app", "version")] == "1.10"
    assert doc.data["app"]["build"] == 31
    assert doc.raw[("app", "build")] == "0x1F"
    assert ("app", "name") not in doc.raw  # text needs no raw form


def test_quoted_numbers_stay_text_and_have_no_raw_entry() -> None:
    doc, _ = load("a: \"12\"\nb: '1.10'\nc: |\n  7\n")
    assert doc.data == {"a": "12", "b": "1.10", "c": "7\n"}
    assert doc.raw == {}


# --- positions --------------------------------------------------------------------------------


def test_marks_are_one_based_line_and_column_of_nested_values() -> None:
    text = textwrap.dedent(
        """\
        # a comment
        school:
          name: Gymnasium
          apps:
            - pages
            - id: keynote
              config: {k: [1, "two"]}
        """
    )
    doc, diags = load(text)
    assert diags == []
    assert doc.marks[()] == (2, 1)
    assert doc.key_marks[("school",)] == (2, 1)
    assert doc.key_marks[("school", "name")] == (3, 3)
    assert doc.marks[("school", "name")] == (3, 9)
    assert doc.marks[("school", "apps")] == (5, 5)
    assert doc.marks[("school", "apps", 0)] == (5, 7)
    assert doc.marks[("school", "apps", 1)] == (6, 7)
    assert doc.key_marks[("school", "apps", 1, "id")] == (6, 7)
    assert doc.marks[("school", "apps", 1, "id")] == (6, 11)
    assert doc.key_marks[("school", "apps", 1, "config")] == (7, 7)
    assert doc.marks[("school", "apps", 1, "config", "k")] == (7, 19)
    assert doc.marks[("school", "apps", 1, "config", "k", 1)] == (7, 23)


def test_mark_falls_back_to_the_nearest_parent() -> None:
    doc, _ = load("a:\n  b: 1\n")
    assert doc.mark(("a", "b", "missing")) == (2, 6)
    assert doc.mark(("a", "b"), key=True) == (2, 3)
    assert doc.mark(("nothing",)) == (1, 1)


def test_positions_count_characters_after_a_bom_and_umlauts() -> None:
    doc, diags = load("\ufeffname: Grüße\nort: München\n")
    assert diags == []
    assert doc.data == {"name": "Grüße", "ort": "München"}
    assert doc.marks[("ort",)] == (2, 6)


# --- strictness -------------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    doc, diags = load("id: a\nname: x\nlevel:\n  k: 1\n  k: 2\n")
    assert diags == [(5, 3, "duplicate-key")]
    assert doc.data is None


def test_duplicate_key_message_names_the_first_line() -> None:
    _, diags = load_yaml("f.yaml", b"a: 1\nb: 2\na: 3\n", LIMIT)
    assert diags[0].code == "duplicate-key"
    assert "'a'" in diags[0].message
    assert "line 1" in diags[0].message


def test_same_key_in_different_mappings_is_fine() -> None:
    doc, diags = load("a:\n  k: 1\nb:\n  k: 2\n")
    assert diags == []
    assert doc.data == {"a": {"k": 1}, "b": {"k": 2}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x: &a 1\ny: 2\n", (1, 4, "yaml-anchor")),
        ("x: &a {k: 1}\n", (1, 4, "yaml-anchor")),
        ("x:\n  - &a [1]\n", (2, 5, "yaml-anchor")),
        ("x: [1, *a]\n", (1, 8, "yaml-alias")),
        ("base: 1\nother: *base\n", (2, 8, "yaml-alias")),
        ("<<: *base\n", (1, 5, "yaml-alias")),
    ],
)
def test_anchors_and_aliases_are_rejected(text: str, expected: tuple[int, int, str]) -> None:
    doc, diags = load(text)
    assert diags == [expected]
    assert doc.data is None


BILLION_LAUGHS = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def test_billion_laughs_is_rejected_quickly() -> None:
    start = time.perf_counter()
    doc, diags = load(BILLION_LAUGHS)
    assert time.perf_counter() - start < 0.5
    assert diags == [(1, 4, "yaml-anchor")]
    assert doc.data is None


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !custom x\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!timestamp 2024-01-01\n",
        "a: !!set {x}\n",
        "a: !!omap [x: 1]\n",
    ],
)
def test_unknown_tags_are_rejected(text: str) -> None:
    doc, diags = load(text)
    assert diags == [(1, 4, "yaml-tag")]
    assert doc.data is None


def test_python_tag_is_never_executed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    _, diags = load(text)
    assert [d[2] for d in diags] == ["yaml-tag"]
    assert not marker.exists()


def test_standard_tag_with_a_wrong_value_is_a_tag_error() -> None:
    _, diags = load("a: !!int abc\n")
    assert diags == [(1, 4, "yaml-tag")]
    _, diags = load("a: !!bool yes\n")
    assert diags == [(1, 4, "yaml-tag")]


def test_multiple_documents_are_rejected_at_the_second() -> None:
    doc, diags = load("a: 1\n---\nb: 2\n")
    assert diags == [(2, 1, "yaml-multi-doc")]
    assert doc.data is None
    _, diags = load("---\na: 1\n...\n---\nb: 2\n")
    assert diags == [(4, 1, "yaml-multi-doc")]


def test_one_explicit_document_is_fine() -> None:
    doc, diags = load("---\na: 1\n...\n")
    assert diags == []
    assert doc.data == {"a": 1}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1, 2\n", 2),
        ("a:\n  b: c\n d: e\n", 3),
        ("a: 1\nb: 'unclosed\n", 3),
        ("a: 1\n\tb: 2\n", 2),
        ("a: b: c\n", 1),
        ("a: 1\n- x\n", 2),
    ],
)
def test_syntax_errors_point_at_their_line(text: str, line: int) -> None:
    doc, diags = load(text)
    assert len(diags) == 1
    assert diags[0][0] == line
    assert diags[0][2] == "yaml-syntax"
    assert doc.data is None


def test_complex_and_null_keys_are_rejected() -> None:
    assert load("? [a]\n: b\n")[1] == [(1, 3, "yaml-key")]
    assert load("~: x\n")[1] == [(1, 1, "yaml-key")]
    assert load("{[a]: b}\n")[1] == [(1, 2, "yaml-key")]


def test_control_character_is_reported_on_its_line() -> None:
    # libyaml rejects control characters; the finding must point at the line that holds one
    doc, diags = load("a: 1\nb: 2\nc: x\x07y\n")
    assert doc.data is None
    assert len(diags) == 1
    assert (diags[0][0], diags[0][2]) == (3, "yaml-syntax")


# --- encodings and sizes ----------------------------------------------------------------------


def test_latin1_umlaut_is_not_utf8_with_its_line_and_column() -> None:
    doc, diags = load("id: x\nname: Gymnasium M\xfcller\n".encode("latin-1"))
    assert diags == [(2, 18, "not-utf8")]
    assert doc.data is None


def test_not_utf8_message_names_the_byte() -> None:
    _, diags = load_yaml("f.yaml", b"a: \xff\n", LIMIT)
    assert diags[0].code == "not-utf8"
    assert "0xff" in diags[0].message


def test_not_utf8_column_counts_characters_not_bytes() -> None:
    # "name: Grüße " is 12 characters (14 bytes); the bad byte is the 13th character
    data = "id: x\nname: Grüße ".encode() + b"\xfc\n"
    _, diags = load(data)
    assert diags == [(2, 13, "not-utf8")]


def test_utf8_bom_is_accepted() -> None:
    doc, diags = load(b"\xef\xbb\xbfa: 1\n")
    assert diags == []
    assert doc.data == {"a": 1}


def test_bad_byte_after_bom_has_the_column_a_person_sees() -> None:
    _, diags = load(b"\xef\xbb\xbfa: \xff\n")
    assert diags == [(1, 4, "not-utf8")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom_is_rejected(encoding: str) -> None:
    data = "a: 1\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc, diags = load(data)
    assert diags == [(1, 1, "not-utf8")]
    assert doc.data is None


def test_utf16_without_bom_is_not_text() -> None:
    doc, diags = load("a: 1\n".encode("utf-16-le"))
    assert diags == [(1, 1, "not-text")]
    assert doc.data is None


def test_nul_byte_is_not_text_on_its_line() -> None:
    doc, diags = load(b"a: 1\nb: 2\nc: x\x00y\n")
    assert [(line, code) for line, _, code in diags] == [(3, "not-text")]
    assert doc.data is None


def test_file_over_the_limit_is_rejected_before_parsing() -> None:
    # invalid YAML and invalid UTF-8: only the size is reported, so nothing was parsed
    data = b"\xff: [\n" * 100
    doc, diags = load(data, max_bytes=len(data) - 1)
    assert diags == [(1, 1, "file-too-large")]
    assert doc.data is None


def test_file_at_the_limit_is_read() -> None:
    data = b"a: " + b"x" * 97
    doc, diags = load(data, max_bytes=100)
    assert diags == []
    assert doc.data == {"a": "x" * 97}


def test_file_too_large_message_names_both_sizes() -> None:
    _, diags = load_yaml("f.yaml", b"a: 12345\n", 5)
    assert "9 bytes" in diags[0].message
    assert "5" in diags[0].message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n   \n"])
def test_empty_file_has_no_data_and_no_finding(text: str) -> None:
    doc, diags = load(text)
    assert diags == []
    assert doc.data is None


# --- deep nesting: run in a subprocess so a crash (segfault) cannot take pytest with it -------

DEEP_SCRIPT = """
import sys, time
from compiler.yamlload import load_yaml
kind = sys.argv[1]
if kind == "flow":
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\\n"
elif kind == "flow-open":
    text = "[" * 100_000
elif kind == "flow-map":
    text = "{a: " * 100_000 + "1" + "}" * 100_000
else:
    text = "- " * 200_000 + "x\\n"
start = time.perf_counter()
doc, diags = load_yaml("deep.yaml", text.encode(), 10**8)
print(time.perf_counter() - start)
print(",".join(f"{d.line}:{d.col}:{d.code}" for d in diags))
print(doc.data is None)
"""


@pytest.mark.parametrize("kind", ["flow", "flow-open", "flow-map", "block"])
def test_deep_nesting_is_a_finding_not_a_crash(kind: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", DEEP_SCRIPT, kind],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    seconds, found, no_data = proc.stdout.split("\n")[:3]
    assert float(seconds) < 1.0
    assert found.split(",") == [found.split(",")[0]]
    line, _col, code = found.split(":")
    assert code == "yaml-depth"
    assert line == "1"
    assert no_data == "True"


def test_nesting_up_to_the_limit_is_fine_and_one_more_is_not() -> None:
    from compiler.yamlload import MAX_DEPTH

    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    _doc, diags = load(ok)
    assert diags == []
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    _, diags = load(too_deep)
    assert diags == [(1, MAX_DEPTH + 1, "yaml-depth")]


def test_libyaml_nesting_limit_becomes_yaml_depth_where_ours_is_crossed() -> None:
    # PyYAML 6.0.4's libyaml stops at 1,000 flow levels before it sends any event; the finding
    # is still ours, at the bracket that goes one level deeper than MAX_DEPTH
    from compiler.yamlload import MAX_DEPTH

    doc, diags = load("id: x\nv: " + "[" * 5000 + "\n")
    assert diags == [(2, 3 + MAX_DEPTH, "yaml-depth")]
    assert doc.data is None
    # quoted brackets and comments do not count; closed brackets do
    text = 'v: [1, \'[[[[\', "]]\\"[[", # [[[[\n' + "[], " * 10 + "[" * 3000
    _, diags = load(text)
    assert diags == [(2, 40 + MAX_DEPTH - 1, "yaml-depth")]


@pytest.mark.parametrize(
    "text",
    ["name: !!map x\n", "name: !!seq x\n", "a: !!str {b: 1}\n", "a: !!map [1]\n", "a: !!int [1]\n"],
)
def test_a_standard_tag_on_the_wrong_kind_of_node_is_a_tag_error(text: str) -> None:
    doc, diags = load(text)
    assert [d[2] for d in diags] == ["yaml-tag"]
    assert doc.data is None


def test_a_number_too_long_for_python_is_a_finding() -> None:
    _, diags = load("a: " + "1" * 5000 + "\n")
    assert diags == [(1, 4, "yaml-syntax")]
    _, diags = load("a: !!int " + "1" * 5000 + "\n")
    assert diags == [(1, 4, "yaml-tag")]


def test_reader_error_column_counts_characters_not_bytes() -> None:
    # libyaml's reader reports a byte offset; 200 two-byte umlauts must not shift the column
    _, diags = load("name: " + "ü" * 200 + "\x07\n")
    assert diags == [(1, 207, "yaml-syntax")]
    _, diags = load("a: 1\nname: " + "😀" * 10 + "\x07\n")
    assert diags == [(2, 17, "yaml-syntax")]

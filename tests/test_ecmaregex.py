"""Schema patterns have ECMA-262 meaning, in the fast checker and in jsonschema alike."""

from __future__ import annotations

import pytest

from compiler.ecmaregex import PatternError, compile_pattern, pattern_problem, search
from compiler.fastschema import fast_valid
from compiler.schema_check import validator_for
from tests.helpers import edit, findings, make_mini_estate, only

# (pattern, text, what ECMA-262 with the u flag answers: does the pattern match somewhere?)
CASES = [
    ("^a$", "a", True),
    ("^a$", "a\n", False),  # Python's $ would match before the final newline
    ("a$", "a\nb", False),
    ("^a", "b\na", False),
    (r"^\d+$", "0123456789", True),
    (r"^\d+$", "١٢٣", False),  # Arabic-Indic digits are \d in Python, not in ECMA
    (r"^\w+$", "abc_XYZ_09", True),
    (r"^\w+$", "äöü", False),
    (r"^\W$", "ä", True),
    (r"^\s$", "\u00a0", True),
    (r"^\s$", "\ufeff", True),
    (r"^\s$", "\u2029", True),
    (r"^\s$", "\x1c", False),  # a separator Python's \s counts as space
    (r"^\s$", "\x85", False),
    (r"^\S$", "\x1c", True),
    (r"^.$", "\n", False),
    (r"^.$", "\r", False),
    (r"^.$", "\u2028", False),
    (r"^.$", "😀", True),  # one code point
    (r"^[^]$", "\n", True),
    (r"^[]$", "", False),
    (r"[\d-]", "-", True),
    (r"^[^\D]$", "5", True),
    (r"^[^\D]$", "x", False),
    (r"^[a\S]$", "b", True),
    (r"^[\s]$", "\u3000", True),
    (r"\bfoo\b", "é foo", True),
    (r"\bfoo", "éfoo", True),  # é is not a word character: a boundary before f
    (r"\Bfoo", "éfoo", False),
    (r"\u{1F600}", "😀", True),
    (r"\u00e4", "ä", True),
    (r"\x41", "A", True),
    (r"\cJ", "\n", True),
    (r"\0", "\0", True),
    (r"(?<n>a)\k<n>", "aa", True),
    (r"(a)\1", "aa", True),
    (r"^\/\.\*$", "/.*", True),
    (r"[\b]", "\b", True),
    (r"^a{2,}$", "aaa", True),
    (r"^[ #]$", "#", True),
    (r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?$", "@org/team\n", False),
    (r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?$", "@org/team", True),
    ("(?=a)a", "a", True),
    ("(?<!b)a", "ba", False),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), CASES)
def test_ecma_meaning(pattern: str, text: str, expected: bool) -> None:
    assert search(pattern, text) is expected


@pytest.mark.parametrize(("pattern", "text", "expected"), CASES)
def test_fast_checker_and_jsonschema_agree(pattern: str, text: str, expected: bool) -> None:
    schema = {"type": "string", "pattern": pattern}
    assert fast_valid(schema, text) is expected
    assert validator_for(schema).is_valid(text) is expected
    keyed = {"type": "object", "patternProperties": {pattern: {"const": 1}}}
    # a key the pattern matches must hold 1
    assert validator_for(keyed).is_valid({text: 2}) is not expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"a\Z",  # Python only
        r"\Aa",
        r"(?P<x>a)",
        r"(?i)a",
        r"(?#comment)",
        r"\a",
        "a{",
        "]",
        "}",
        r"\p{L}",
        "[z-a]",
        "(",
        "[a",
        "\\",
        r"\k",
        r"\u{110000}",
    ],
)
def test_what_ecma_does_not_accept_is_a_pattern_error(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)
    assert pattern_problem(pattern)
    # the fast checker leaves it to jsonschema, which reports it instead of crashing
    schema = {"type": "string", "pattern": pattern}
    assert fast_valid(schema, "x") is None
    errors = list(validator_for(schema).iter_errors("x"))
    assert len(errors) == 1
    assert "not usable" in errors[0].message


def test_additional_properties_with_pattern_properties_uses_ecma_meaning() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^[a-z]+$": {"type": "integer"}},
        "additionalProperties": False,
    }
    validator = validator_for(schema)
    assert validator.is_valid({"abc": 1})
    assert not validator.is_valid({"abc\n": 1})  # Python's re would call it a match
    assert not validator.is_valid({"ABC": 1})


def test_a_maintainer_with_a_trailing_newline_is_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # "@org/team\n" would split the CODEOWNERS line and drop the reviewers' co-ownership
    root = make_mini_estate(tmp_path / "estate")
    edit(root, "schools/gym-a/school.yaml", '- "@example-org/gym-a"', '- "@example-org/gym-a\\n"')
    diag = only(findings(root), "invalid-value")
    assert (diag.path, diag.line) == ("schools/gym-a/school.yaml", 7)


def test_a_profile_parameter_pattern_in_python_syntax_is_a_profile_schema_finding(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    root = make_mini_estate(tmp_path / "estate")
    edit(
        root,
        "profiles/wifi.yaml",
        "      minLength: 1\n      maxLength: 32",
        "      minLength: 1\n      maxLength: 32\n      pattern: '^[A-Za-z]+\\Z'",
    )
    diag = only(findings(root), "profile-schema")
    assert diag.path == "profiles/wifi.yaml"
    assert "ECMA-262" in diag.message

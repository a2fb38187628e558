"""Graph rules the compiler enforces before anything reaches Intune."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.render.graph_checks import problems

CFG = "deviceManagement/deviceConfigurations"


def oma(
    kind: str, value: Any, uri: str = "./Device/Vendor/MSFT/Policy/Config/X/Y"
) -> dict[str, Any]:
    return {
        "displayName": "p",
        "omaSettings": [
            {"@odata.type": f"#microsoft.graph.omaSetting{kind}", "omaUri": uri, "value": value}
        ],
    }


@pytest.mark.parametrize(
    ("kind", "value"), [("Integer", 1), ("Boolean", True), ("String", "x"), ("FloatingPoint", 1.5)]
)
def test_values_that_fit_their_type(kind: str, value: Any) -> None:
    assert problems(CFG, oma(kind, value)) == []


@pytest.mark.parametrize(
    ("kind", "value", "expect"),
    [
        ("Integer", True, "not true/false"),
        ("Integer", "1", "needs a int"),
        ("Boolean", 1, "needs a bool"),
        ("String", 5, "needs a str"),
        ("Integer", 2**31, "32-bit"),
    ],
)
def test_values_of_the_wrong_type(kind: str, value: Any, expect: str) -> None:
    [problem] = problems(CFG, oma(kind, value))
    assert expect in problem and "omaSettings[0]" in problem


@pytest.mark.parametrize(
    "uri", ["./Vendor/MSFT/X", "Device/Vendor/MSFT/X", "", "./device/Vendor/X"]
)
def test_oma_uri_must_name_its_scope(uri: str) -> None:
    assert any("./Device/ or ./User/" in p for p in problems(CFG, oma("String", "x", uri)))


def test_unknown_oma_type() -> None:
    assert any("unknown OMA setting type" in p for p in problems(CFG, oma("Gibberish", "x")))


@pytest.mark.parametrize("nick", ["smdm devices", "a@b", "", "x" * 65, "grüße", "a,b"])
def test_invalid_mail_nicknames(nick: str) -> None:
    assert any(
        "mailNickname" in p for p in problems("groups", {"displayName": "g", "mailNickname": nick})
    )


def test_valid_group_and_limits() -> None:
    assert problems("groups", {"displayName": "g", "mailNickname": "smdm-gym-a-devices"}) == []
    assert any("256" in p for p in problems(CFG, {"displayName": "x" * 257}))
    assert any("no name" in p for p in problems(CFG, {"displayName": "  "}))
    assert any("1024" in p for p in problems(CFG, {"displayName": "x", "description": "d" * 1025}))

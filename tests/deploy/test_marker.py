"""The ownership marker and the secrets' fingerprint in a description."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compiler.deploy.marker import parse, with_fingerprint

KEY = "gym-a/apple/intune-profile/wifi"
MARK = f"[schoolmdm:{KEY}#0123456789abcdef]"


def test_parse_finds_the_last_well_formed_marker() -> None:
    assert parse(f"Wi-Fi {MARK}") == (KEY, "0123456789abcdef")
    assert parse("[schoolmdm:x#0123456789abcdef]") is None  # not a key
    assert parse(f"{MARK[:-2]}]") is None  # 15 hex digits
    assert parse(None) is None and parse(42) is None
    other = "[schoolmdm:bbz-b/windows/group/devices#ffffffffffffffff]"
    assert parse(f"{MARK} {other}") == ("bbz-b/windows/group/devices", "f" * 16)


def test_the_fingerprint_goes_before_the_marker_and_is_replaced() -> None:
    once = with_fingerprint(f"Wi-Fi {MARK}", "a" * 16)
    assert once == f"Wi-Fi [schoolmdm-secrets:{'a' * 16}] {MARK}"
    assert with_fingerprint(once, "b" * 16) == f"Wi-Fi [schoolmdm-secrets:{'b' * 16}] {MARK}"
    assert with_fingerprint(once, None) == f"Wi-Fi {MARK}"
    assert parse(once) == (KEY, "0123456789abcdef")


@given(
    st.text(max_size=60),
    st.one_of(st.none(), st.text("0123456789abcdef", min_size=16, max_size=16)),
)
def test_the_marker_survives_any_text_and_fingerprint(text: str, fp: str | None) -> None:
    out = with_fingerprint(f"{text} {MARK}", fp)
    assert out.endswith(MARK)
    assert parse(out) == (KEY, "0123456789abcdef")

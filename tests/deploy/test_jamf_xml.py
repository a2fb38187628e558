"""The Classic API's XML as mappings: lists of one, booleans, text that needs escaping, error
pages, and hostile answers (entities, garbage) that never crash the deployer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.deploy.jamf_xml import XmlProblem, error_text, from_xml, list_items, to_xml
from tests.support.jamf_emulator import page


def test_a_round_trip_keeps_lists_of_one_booleans_and_markup_in_text() -> None:
    body = {
        "general": {"name": "gym-a | <WLAN> & 'Gäste'", "payloads": "<?xml?><plist/>"},
        "scope": {
            "all_mobile_devices": False,
            "mobile_device_groups": [{"id": "7"}],
            "buildings": [],
        },
    }
    root, back = from_xml(to_xml("configuration_profile", body))
    assert root == "configuration_profile"
    assert back == {
        "general": {"name": "gym-a | <WLAN> & 'Gäste'", "payloads": "<?xml?><plist/>"},
        "scope": {
            "all_mobile_devices": False,
            "mobile_device_groups": [{"id": "7"}],
            "buildings": [],
        },
    }


def test_a_list_answer_gives_its_items_and_skips_the_size() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><mobile_device_groups><size>2</size>'
        b"<mobile_device_group><id>1</id><name>a</name><is_smart>true</is_smart>"
        b"</mobile_device_group><mobile_device_group><id>2</id><name>b</name>"
        b"<is_smart>false</is_smart></mobile_device_group></mobile_device_groups>"
    )
    assert list_items(data, "mobile_device_group") == [
        {"id": "1", "name": "a", "is_smart": True},
        {"id": "2", "name": "b", "is_smart": False},
    ]


def test_an_element_name_that_is_no_xml_name_is_refused() -> None:
    with pytest.raises(ValueError):
        to_xml("x", {"bad name": "1"})
    with pytest.raises(ValueError):
        to_xml("x", {"not_a_list": ["1"]})


def test_the_message_of_an_error_page() -> None:
    assert error_text(page(409, "Error: Duplicate name")) == "Error: Duplicate name"
    assert error_text(b"<html><body>Service Unavailable</body></html>") == "Service Unavailable"


def test_entities_are_never_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x><name>&b;</name></x>'
    )
    with pytest.raises(XmlProblem):
        from_xml(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    )
    with pytest.raises(XmlProblem):
        from_xml(external)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_answer_is_read_or_refused_never_a_crash(data: bytes) -> None:
    try:
        root, body = from_xml(data)
    except XmlProblem:
        return
    assert isinstance(root, str) and isinstance(body, dict)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "description", "payloads", "version"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
        min_size=1,
    )
)
def test_any_text_survives_a_round_trip(general: dict[str, str]) -> None:
    _, back = from_xml(to_xml("configuration_profile", {"general": general}))
    assert back["general"] == {k: v for k, v in general.items()}

"""The example estate has the shape the product is demonstrated with."""

from __future__ import annotations

from collections import Counter

from compiler.pipeline import check_estate
from compiler.source import DirectorySource
from tests.helpers import REPO


def test_example_estate_validates_with_the_promised_numbers() -> None:
    estate, diags = check_estate(DirectorySource(REPO))
    assert diags == [] and estate is not None
    platforms = Counter(s.platform for s in estate.schools.values())
    assert len(estate.schools) == 47 and platforms == {"apple": 16, "windows": 31}
    ipads = {
        sid: len(estate.inventories[sid])
        for sid, s in estate.schools.items()
        if s.platform == "apple"
    }
    assert sum(ipads.values()) == 3500
    assert min(ipads.values()) >= 30 and len(set(ipads.values())) > 8  # uneven, as need is
    windows = sum(
        len(estate.inventories[sid]) for sid, s in estate.schools.items() if s.platform == "windows"
    )
    assert windows > 5000
    assert 35 <= len(estate.apps) <= 50
    types = Counter(s.type for s in estate.schools.values())
    assert {"gymnasium", "gemeinschaftsschule", "berufsbildungszentrum", "foerderschule"} <= set(
        types
    )
    # profiles for Wi-Fi (personal and 802.1X), restrictions, web clips, home screen, exam mode,
    # browser home page and a locked baseline are all in use
    used = Counter(p for s in estate.schools.values() for p in s.profiles)
    assert {"wifi", "restrictions", "webclips", "home-screen", "exam-mode", "browser-home"} <= set(
        used
    )
    security = {
        s.profiles["wifi"].get("security", "wpa2-personal")
        for s in estate.schools.values()
        if "wifi" in s.profiles
    }
    assert {"wpa2-personal", "wpa2-enterprise"} <= security
    baseline = estate.profiles["it-baseline"]
    assert baseline.mode == "always" and baseline.locked and baseline.removal_disallowed

#!/usr/bin/env python3
"""Generate the example estate of the fictional district "Musterkreis".

Writes, below the repository root:

- ``schools/<id>/school.yaml``  for 47 schools (16 on iPad, 31 on Windows),
- ``schools/<id>/devices.csv``  their inventories (3,500 iPads, ~8,000 Windows devices),
- ``secrets.yaml``              the secrets the schools reference (names only, never values).

The output is deterministic: a fixed seed drives one ``random.Random``, nothing reads the
clock, and running the script twice gives byte-identical files.  Only the files listed above
are ever deleted or overwritten.  The app catalogue (``catalog/apps/*.yaml``) is read, not
written: every app a school selects must exist there for the school's platform.

Usage::

    python tools/generate_example_estate.py            # (re)write the estate
    python tools/generate_example_estate.py --check    # exit 1 if the files on disk differ
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import random
import re
import sys
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TypeAlias

import yaml

SEED: Final = 20240917
Platform: TypeAlias = Literal["apple", "windows"]
YamlValue: TypeAlias = str | int | bool | list["YamlValue"] | dict[str, "YamlValue"]
YamlMap: TypeAlias = dict[str, YamlValue]

SCHOOL_SCHEMA_LINE: Final = "# yaml-language-server: $schema=../../schemas/school.estate.schema.json\n"
SECRETS_SCHEMA_LINE: Final = "# yaml-language-server: $schema=schemas/secrets.schema.json\n"
GITHUB_ORG: Final = "@musterkreis-schul-it"
DOMAIN: Final = "musterkreis.example"
RADIUS_SERVER: Final = f"radius.{DOMAIN}"
LMS: Final = f"https://lernen.{DOMAIN}"

APPLE_TOTAL_DEVICES: Final = 3500
WINDOWS_DEVICE_RANGE: Final = (7500, 8500)
APPS_PER_SCHOOL: Final = (8, 20)


# --------------------------------------------------------------------------------------------
# The schools
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    id: str
    name: str
    type: str
    platform: Platform
    code: str  # part of the asset tag: MK-<code>-00042
    place: str  # ASCII place name, used for network names and labels
    devices: int

    @property
    def secret_stem(self) -> str:
        return self.id.upper().replace("-", "_")

    @property
    def portal(self) -> str:
        return f"https://{self.id}.schulen.{DOMAIN}/"


SCHOOL_TYPES: Final[Mapping[str, str]] = {
    "gym": "gymnasium",
    "gms": "gemeinschaftsschule",
    "rs": "realschule",
    "ges": "gesamtschule",
    "bbz": "berufsbildungszentrum",
    "fz": "foerderschule",
}

# (id, asset-tag code, devices, place for network names, name); the type follows the id prefix
Row: TypeAlias = tuple[str, str, int, str, str]
APPLE_SCHOOLS: Final[tuple[Row, ...]] = (
    ("gym-lindenhof", "GLIN", 480, "Lindenhof", "Gymnasium am Lindenhof"),
    ("gms-nordstadt", "GMNS", 445, "Nordstadt", "Gemeinschaftsschule Nordstadt"),
    ("gym-schlosspark", "GSPK", 390, "Schlosspark", "Gymnasium am Schlosspark"),
    ("ges-muehlenbach", "GEMB", 352, "Muehlenbach", "Gesamtschule Mühlenbach"),
    ("gym-altstadt", "GALT", 310, "Altstadt", "Altstadt-Gymnasium Musterstadt"),
    ("gms-wiesental", "GMWT", 284, "Wiesental", "Gemeinschaftsschule Wiesental"),
    ("gym-seeblick", "GSEE", 250, "Seeblick", "Gymnasium Seeblick"),
    ("rs-eichhorst", "REHO", 226, "Eichhorst", "Realschule Eichhorst"),
    ("gms-sonnenhang", "GMSH", 198, "Sonnenhang", "Gemeinschaftsschule am Sonnenhang"),
    ("gym-eichenwald", "GEIW", 160, "Eichenwald", "Gymnasium Eichenwald"),
    ("ges-talberg", "GETB", 132, "Talberg", "Gesamtschule Talberg"),
    ("rs-bachingen", "RBAC", 96, "Bachingen", "Realschule Bachingen"),
    ("gms-hafenviertel", "GMHV", 72, "Hafenviertel", "Gemeinschaftsschule Hafenviertel"),
    ("bbz-gesundheit", "BGES", 45, "Gesundheit", "Berufsbildungszentrum Gesundheit und Soziales"),
    ("fz-am-park", "FAPK", 30, "AmPark", "Förderzentrum Am Park"),
    ("fz-lindenau", "FLIN", 30, "Lindenau", "Förderzentrum Lindenau"),
)
WINDOWS_SCHOOLS: Final[tuple[Row, ...]] = (
    ("bbz-technik", "BTEC", 600, "Technik", "Berufsbildungszentrum Technik Musterstadt"),
    (
        "bbz-wirtschaft",
        "BWIR",
        520,
        "Wirtschaft",
        "Berufsbildungszentrum Wirtschaft und Verwaltung",
    ),
    ("bbz-nord", "BNRD", 480, "Nord", "Berufsbildungszentrum Musterkreis Nord"),
    ("bbz-sued", "BSUD", 455, "Sued", "Berufsbildungszentrum Musterkreis Süd"),
    ("bbz-agrar", "BAGR", 210, "Agrar", "Berufsbildungszentrum Agrar und Ernährung Hohenmuster"),
    ("bbz-gestaltung", "BGST", 340, "Gestaltung", "Berufsbildungszentrum Gestaltung und Medien"),
    ("bbz-it", "BITS", 575, "IT", "Berufsbildungszentrum Informationstechnik"),
    ("bbz-bau", "BBAU", 260, "Bau", "Berufsbildungszentrum Bau und Holz"),
    ("gym-nordhafen", "GNHF", 380, "Nordhafen", "Gymnasium Nordhafen"),
    ("gym-muehlenteich", "GMTE", 310, "Muehlenteich", "Gymnasium am Mühlenteich"),
    ("gym-aue", "GAUE", 295, "Aue", "Gymnasium an der Aue"),
    ("gym-domplatz", "GDOM", 355, "Domplatz", "Domgymnasium Musterstadt"),
    ("gym-hohenmuster", "GHMU", 240, "Hohenmuster", "Gymnasium Hohenmuster"),
    ("gym-sternwarte", "GSTW", 275, "Sternwarte", "Gymnasium an der Sternwarte"),
    ("gym-am-wall", "GWAL", 330, "AmWall", "Gymnasium am Wall"),
    ("gms-suedstadt", "GMSS", 265, "Suedstadt", "Gemeinschaftsschule Südstadt"),
    ("gms-kastanienallee", "GMKA", 190, "Kastanienallee", "Gemeinschaftsschule Kastanienallee"),
    ("gms-birkenweg", "GMBW", 225, "Birkenweg", "Gemeinschaftsschule Am Birkenweg"),
    ("gms-talberg", "GMTB", 160, "Talberg", "Gemeinschaftsschule Talberg"),
    ("gms-bruchwiesen", "GMBR", 205, "Bruchwiesen", "Gemeinschaftsschule Bruchwiesen"),
    ("gms-altdorf", "GMAD", 140, "Altdorf", "Gemeinschaftsschule Altdorf"),
    ("gms-rosengarten", "GMRG", 180, "Rosengarten", "Gemeinschaftsschule am Rosengarten"),
    ("rs-wiesental", "RWST", 170, "Wiesental", "Realschule Wiesental"),
    ("rs-hafen", "RHAF", 150, "Hafen", "Realschule am Hafen"),
    ("rs-lerchenfeld", "RLER", 125, "Lerchenfeld", "Realschule Lerchenfeld"),
    ("ges-nordstadt", "GENS", 310, "Nordstadt", "Gesamtschule Nordstadt"),
    ("ges-weidenhof", "GEWH", 245, "Weidenhof", "Gesamtschule Weidenhof"),
    ("fz-sonnenblick", "FSBL", 90, "Sonnenblick", "Förderzentrum Sonnenblick"),
    ("fz-nordstadt", "FNST", 75, "Nordstadt", "Förderzentrum Nordstadt"),
    ("fz-lerchenfeld", "FLER", 60, "Lerchenfeld", "Förderzentrum Lerchenfeld"),
    ("fz-wiesental", "FWST", 64, "Wiesental", "Förderzentrum Wiesental"),
)


def make_schools() -> tuple[School, ...]:
    schools: list[School] = []
    platforms: tuple[tuple[Platform, tuple[Row, ...]], ...] = (
        ("apple", APPLE_SCHOOLS),
        ("windows", WINDOWS_SCHOOLS),
    )
    for platform, rows in platforms:
        for school_id, code, devices, place, name in rows:
            school_type = SCHOOL_TYPES[school_id.split("-")[0]]
            schools.append(School(school_id, name, school_type, platform, code, place, devices))
    return tuple(schools)


SCHOOLS: Final = make_schools()


# --------------------------------------------------------------------------------------------
# App selection
# --------------------------------------------------------------------------------------------

APPLE_BASE: Final = ("pages", "keynote", "numbers", "imovie", "garageband")
APPLE_MICROSOFT: Final = (
    "microsoft-word",
    "microsoft-excel",
    "microsoft-powerpoint",
    "microsoft-onenote",
    "microsoft-teams",
    "microsoft-onedrive",
)
APPLE_BY_TYPE: Final[Mapping[str, tuple[str, ...]]] = {
    "gymnasium": (
        "geogebra-calculator-suite",
        "safe-exam-browser",
        "swift-playgrounds",
        "quizlet",
        "duolingo",
        "khan-academy",
        "clips",
        "microsoft-edge",
    ),
    "gemeinschaftsschule": (
        "geogebra-calculator-suite",
        "clips",
        "khan-academy",
        "quizlet",
        "duolingo",
        "scratchjr",
        "swift-playgrounds",
    ),
    "realschule": (
        "geogebra-calculator-suite",
        "clips",
        "quizlet",
        "safe-exam-browser",
        "duolingo",
    ),
    "gesamtschule": (
        "geogebra-calculator-suite",
        "safe-exam-browser",
        "swift-playgrounds",
        "clips",
        "khan-academy",
    ),
    "berufsbildungszentrum": (
        "safe-exam-browser",
        "adobe-acrobat-reader",
        "microsoft-outlook",
        "zoom",
        "microsoft-edge",
    ),
    "foerderschule": ("scratchjr", "clips", "khan-academy"),
}
APPLE_EXTRAS: Final = (
    "apple-classroom",
    "vlc",
    "firefox",
    "adobe-acrobat-reader",
    "zoom",
    "microsoft-edge",
)

WINDOWS_BASE: Final = (
    "microsoft-teams",
    "microsoft-onenote",
    "company-portal",
    "adobe-acrobat-reader",
)
WINDOWS_COMMON: Final = (
    "microsoft-365-copilot",
    "microsoft-whiteboard",
    "firefox",
    "vlc",
    "microsoft-edge",
)
WINDOWS_BY_TYPE: Final[Mapping[str, tuple[str, ...]]] = {
    "gymnasium": (
        "scratch-3",
        "python-3-12",
        "minecraft-education",
        "audacity",
        "gimp",
        "visual-studio-code",
    ),
    "gemeinschaftsschule": (
        "scratch-3",
        "minecraft-education",
        "audacity",
        "gimp",
        "microsoft-to-do",
    ),
    "realschule": ("scratch-3", "gimp", "audacity", "microsoft-to-do"),
    "gesamtschule": ("scratch-3", "python-3-12", "minecraft-education", "inkscape", "audacity"),
    "foerderschule": ("scratch-3", "minecraft-education", "clipchamp"),
    "berufsbildungszentrum": ("microsoft-to-do", "zoom", "python-3-12", "gimp"),
}
WINDOWS_BY_SCHOOL: Final[Mapping[str, tuple[str, ...]]] = {
    "bbz-technik": ("python-3-12", "visual-studio-code", "arduino-ide", "inkscape", "blender"),
    "bbz-it": ("python-3-12", "visual-studio-code", "arduino-ide", "blender"),
    "bbz-gestaltung": ("gimp", "inkscape", "krita", "blender", "audacity", "clipchamp"),
    "bbz-wirtschaft": ("microsoft-to-do", "zoom"),
    "bbz-bau": ("inkscape", "blender"),
    "bbz-agrar": ("microsoft-to-do", "zoom"),
}
NOTE_APPS: Final = ("goodnotes", "notability")
EXAM_APP: Final = "safe-exam-browser"
APPLE_BUILTINS: Final = (
    "com.apple.mobilesafari",
    "com.apple.camera",
    "com.apple.mobileslideshow",
    "com.apple.Preferences",
)


def unique(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def choose_apps(school: School, rng: random.Random) -> tuple[list[str], list[str]]:
    """Return (required, available) catalogue ids for a school."""
    low, high = APPS_PER_SCHOOL
    if school.platform == "apple":
        required = [*APPLE_BASE, rng.choice(NOTE_APPS)]
        if school.type != "foerderschule" or rng.random() < 0.5:
            required += [a for a in APPLE_MICROSOFT if rng.random() < 0.85]
        pool = list(APPLE_BY_TYPE[school.type])
        extras = list(APPLE_EXTRAS)
    else:
        required = list(WINDOWS_BASE)
        pool = list(WINDOWS_BY_SCHOOL.get(school.id, WINDOWS_BY_TYPE[school.type]))
        extras = list(WINDOWS_COMMON)
    # the first two apps of a pool are what the school type is about; the rest is taste
    required += pool[:2] + [a for a in pool[2:] if rng.random() < 0.7]
    available = [a for a in pool + extras if rng.random() < 0.45]
    required = unique(required)
    available = [a for a in unique(available) if a not in required]
    teachers_ipads = school.platform == "apple" and school.type != "foerderschule"
    if teachers_ipads and rng.random() < 0.8 and "apple-classroom" not in available:
        # teachers' iPads get Apple Classroom from the school's self-service catalogue
        available.append("apple-classroom")
    while len(required) + len(available) > high:
        (available if available else required).pop()
    spare = [a for a in pool + extras if a not in required and a not in available]
    while len(required) + len(available) < low and spare:
        available.append(spare.pop(0))
    return required, available


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


class Secrets:
    """The secrets the schools reference: name -> (description, the school that owns it)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, str]] = {}

    def ref(self, name: str, description: str, owner: str) -> YamlMap:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise ValueError(f"bad secret name {name!r}")
        if self.entries.get(name, (description, owner))[1] != owner:
            raise ValueError(f"the secret {name} would belong to two schools")
        self.entries[name] = (description, owner)
        return {"secret": name}


def maybe(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def wifi_profile(school: School, rng: random.Random, secrets: Secrets) -> YamlMap:
    roll = rng.random()
    if school.platform == "apple":
        security = (
            "wpa2-personal"
            if roll < 0.75
            else "wpa3-personal"
            if roll < 0.88
            else "wpa2-enterprise"
        )
        ssid = rng.choice(
            (f"{school.place}-Schule", f"MK-{school.place}-iPad", f"Schulnetz-{school.place}")
        )
    else:
        security = (
            "wpa2-enterprise"
            if roll < 0.78
            else "wpa3-enterprise"
            if roll < 0.9
            else "wpa2-personal"
        )
        ssid = rng.choice(
            (f"MK-{school.code}", f"MK-Schulnetz-{school.place}", f"{school.place}-Edu")
        )
    if len(ssid) > 32:
        raise ValueError(f"SSID too long: {ssid}")
    wifi: YamlMap = {"ssid": ssid, "security": security}
    if security.endswith("-personal"):
        kind = "WPA3" if security.startswith("wpa3") else "WPA2"
        wifi["password"] = secrets.ref(
            f"WIFI_PSK_{school.secret_stem}",
            f"{kind} passphrase of the pupils' network {ssid} at {school.name}",
            school.id,
        )
    else:
        method = "peap" if rng.random() < 0.7 else "ttls"
        wifi["eap"] = {
            "method": method,
            "outer_identity": "anonymous",
            "trusted_server_names": [RADIUS_SERVER],
            "username": f"wlan-{school.id}@schulen.{DOMAIN}",
            "password": secrets.ref(
                f"WIFI_EAP_{school.secret_stem}",
                f"Password of the 802.1X ({method.upper()}) device account of {school.name}",
                school.id,
            ),
        }
    if maybe(rng, 0.1):
        wifi["hidden"] = True
    if maybe(rng, 0.6):
        wifi["auto_join"] = maybe(rng, 0.9)
    return wifi


def restrictions_profile(school: School, rng: random.Random) -> YamlMap:
    if maybe(rng, 0.2):
        return {}
    values: YamlMap = {}
    younger = school.type in ("foerderschule", "gemeinschaftsschule")
    if maybe(rng, 0.6):
        values["allow_camera"] = not (younger and maybe(rng, 0.3))
    if maybe(rng, 0.5):
        values["allow_screenshots"] = maybe(rng, 0.6)
    if school.platform == "apple":
        if maybe(rng, 0.7):
            values["allow_airdrop"] = maybe(rng, 0.2)
        if maybe(rng, 0.6):
            values["allow_app_removal"] = False
    elif maybe(rng, 0.6):
        values["allow_usb_storage"] = school.type == "berufsbildungszentrum" and maybe(rng, 0.6)
    return values


def webclips_profile(school: School, rng: random.Random) -> YamlMap:
    candidates: list[tuple[str, str]] = [
        ("Schulportal", school.portal),
        ("Vertretungsplan", f"{school.portal}vertretungsplan"),
        ("Lernplattform", f"{LMS}/course/view.php?id={rng.randint(100, 999)}"),
        ("Stundenplan", f"https://stundenplan.{DOMAIN}/{school.id}"),
        ("Mensa", f"https://mensa.{DOMAIN}/{school.id}"),
    ]
    count = rng.randint(1, 4)
    chosen = [candidates[0], *rng.sample(candidates[1:], count - 1)]
    clips: list[YamlValue] = [
        {"label": label, "url": url, "full_screen": maybe(rng, 0.3)} for label, url in chosen
    ]
    return {"clips": clips}


def home_screen_profile(apps: Sequence[str], rng: random.Random) -> YamlMap:
    note_app = next(a for a in apps if a in NOTE_APPS)
    dock: list[str] = ["com.apple.mobilesafari", note_app, "pages", "keynote"]
    rest = [a for a in apps if a not in dock and a != "apple-classroom"]
    rest += [b for b in APPLE_BUILTINS if b not in dock]
    pages: list[YamlValue] = []
    per_page = rng.choice((5, 6))
    for start in range(0, len(rest), per_page):
        page: list[YamlValue] = list(rest[start : start + per_page])
        pages.append(page)
    dock_items: list[YamlValue] = list(dock)
    return {"dock": dock_items, "pages": pages}


def content_filter_profile(school: School, rng: random.Random) -> YamlMap:
    if maybe(rng, 0.25):
        return {}
    denied: list[YamlValue] = rng.sample(
        ["https://spiele.example", "https://videoportal.example", "https://chat.example"],
        rng.randint(1, 3),
    )
    permitted: list[YamlValue] = [LMS, school.portal.rstrip("/")]
    return {"auto_filter": True, "denied_urls": denied, "permitted_urls": permitted}


def notifications_profile(apps: Sequence[str], rng: random.Random) -> YamlMap:
    entries: list[YamlValue] = []
    if "microsoft-teams" in apps:
        entries.append({"app": "microsoft-teams", "enabled": True})
    for app in ("duolingo", "quizlet", "khan-academy"):
        if app in apps:
            entries.append({"app": app, "enabled": False})
    entries.append({"app": "com.apple.mobilesafari", "enabled": maybe(rng, 0.3)})
    return {"apps": entries}


def windows_updates_profile(rng: random.Random) -> YamlMap:
    if maybe(rng, 0.2):
        return {}
    return {
        "quality_deferral_days": rng.choice((0, 3, 5, 7, 10, 14)),
        "feature_deferral_days": rng.choice((0, 30, 60, 90, 180, 365)),
        "active_hours_start": rng.choice((7, 7, 8)),
        "active_hours_end": rng.choice((16, 17, 17, 18)),
    }


def apple_profiles(
    school: School, apps: Sequence[str], rng: random.Random, secrets: Secrets
) -> YamlMap:
    profiles: YamlMap = {"wifi": wifi_profile(school, rng, secrets)}
    if maybe(rng, 0.9):
        profiles["restrictions"] = restrictions_profile(school, rng)
    if maybe(rng, 0.7):
        profiles["webclips"] = webclips_profile(school, rng)
    if maybe(rng, 0.65):
        profiles["home-screen"] = home_screen_profile(apps, rng)
    if school.type in ("foerderschule", "gemeinschaftsschule") or maybe(rng, 0.45):
        profiles["content-filter"] = content_filter_profile(school, rng)
    if maybe(rng, 0.4):
        profiles["notifications"] = notifications_profile(apps, rng)
    if EXAM_APP in apps:
        profiles["exam-mode"] = {"app": EXAM_APP}
    if zlib.crc32(school.id.encode()) % 3 != 0:  # no rng: keeps every other value as it was
        profiles["classroom"] = classroom_profile(school)
    return profiles


def classroom_profile(school: School) -> YamlMap:
    """Apple Classroom: a few classes (names only, never pupils' names) the school's iPads join."""
    grades = ("5", "6", "7", "8", "9", "10") if school.type != "berufsbildungszentrum" else ("BF1", "BF2", "FS1")
    classes: list[YamlValue] = [
        {"name": f"Klasse {grade}{letter}", "beacon_id": 100 + i}
        for i, (grade, letter) in enumerate((g, c) for g in grades[:3] for c in "ab")
    ]
    return {"classes": classes}


def windows_profiles(school: School, rng: random.Random, secrets: Secrets) -> YamlMap:
    profiles: YamlMap = {"wifi": wifi_profile(school, rng, secrets)}
    if maybe(rng, 0.8):
        profiles["restrictions"] = restrictions_profile(school, rng)
    if maybe(rng, 0.65):
        profiles["browser-home"] = {"home_page": school.portal, "show_home_button": maybe(rng, 0.8)}
    if maybe(rng, 0.7):
        profiles["windows-updates"] = windows_updates_profile(rng)
    exam_minded = school.type in ("gymnasium", "berufsbildungszentrum")
    if (exam_minded and maybe(rng, 0.6)) or maybe(rng, 0.1):
        profiles["exam-mode"] = {"exam_url": f"https://pruefung.{DOMAIN}/{school.id}/"}
    return profiles


def app_config(school: School, app: str, rng: random.Random) -> YamlMap | None:
    """Occasional managed app configuration (valid against the app's config_schema)."""
    if school.platform != "apple":
        return None
    if app == "microsoft-edge" and maybe(rng, 0.7):
        # the catalogue's default home page is the school portal; some schools start at the LMS
        home = rng.choice((f"{LMS}/my/", f"{school.portal}start"))
        config: YamlMap = {"com.microsoft.intune.mam.managedbrowser.homepage": home}
        if maybe(rng, 0.5):
            config["com.microsoft.intune.mam.managedbrowser.bookmarks"] = (
                f"Lernplattform|{LMS}||Vertretungsplan|{school.portal}vertretungsplan"
            )
        return config
    if app in ("microsoft-teams", "microsoft-onedrive") and maybe(rng, 0.12):
        return {"IntuneMAMAllowedAccountsOnly": "Enabled"}
    return None


def school_document(school: School, rng: random.Random, secrets: Secrets) -> YamlMap:
    required, available = choose_apps(school, rng)
    selected = required + available
    if school.platform == "apple":
        profiles = apple_profiles(school, selected, rng, secrets)
    else:
        profiles = windows_profiles(school, rng, secrets)
    entries: list[YamlValue] = []
    for app in selected:
        config = app_config(school, app, rng)
        install = "required" if app in required else "available"
        if install == "required" and config is None:
            entries.append(app)
            continue
        entry: YamlMap = {"id": app}
        if install == "available":
            entry["install"] = install
        if config is not None:
            entry["config"] = config
        entries.append(entry)
    maintainers: list[YamlValue] = [f"{GITHUB_ORG}/{school.id}"]
    if school.type == "berufsbildungszentrum" or maybe(rng, 0.15):
        maintainers.append(f"{GITHUB_ORG}/{school.id}-medienteam")
    return {
        "id": school.id,
        "name": school.name,
        "type": school.type,
        "platform": school.platform,
        "maintainers": maintainers,
        "profiles": profiles,
        "apps": entries,
    }


# --------------------------------------------------------------------------------------------
# Devices
# --------------------------------------------------------------------------------------------

APPLE_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # no I, no O
ALNUM: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
DELL_ALPHABET: Final = "0123456789BCDFGHJKLMNPQRSTVWXYZ"
DIGITS: Final = "0123456789"

# Wi-Fi MAC prefixes: locally administered (second-lowest bit of the first octet set), one per
# vendor, so no real manufacturer's OUI is claimed.  iPads use private Wi-Fi addresses of this
# kind by default anyway.
MAC_PREFIX: Final[Mapping[str, tuple[int, int]]] = {
    "apple": (0x02, 0x4B),
    "lenovo": (0x06, 0x4B),
    "dell": (0x0A, 0x4B),
    "hp": (0x0E, 0x4B),
    "microsoft": (0x12, 0x4B),
}

APPLE_FLEETS: Final[tuple[tuple[tuple[str, float], ...], ...]] = (
    (("iPad (9th generation)", 0.7), ("iPad (10th generation)", 0.3)),
    (("iPad (10th generation)", 1.0),),
    (("iPad (10th generation)", 0.8), ("iPad Air (5th generation)", 0.2)),
    (("iPad (9th generation)", 1.0),),
    (("iPad Air (5th generation)", 0.6), ("iPad (10th generation)", 0.4)),
)
WINDOWS_FLEETS: Final[tuple[tuple[tuple[str, float], ...], ...]] = (
    (("Lenovo 300w Yoga Gen 4", 0.85), ("Lenovo ThinkPad L13 Yoga Gen 4", 0.15)),
    (("Dell Latitude 3140", 0.75), ("Dell Latitude 3440", 0.25)),
    (("HP ProBook x360 11 G7 EE", 1.0),),
    (("Microsoft Surface Laptop SE", 0.6), ("Lenovo 300w Yoga Gen 4", 0.4)),
    (
        ("Lenovo 300w Yoga Gen 4", 0.5),
        ("Dell Latitude 3140", 0.3),
        ("HP ProBook x360 11 G7 EE", 0.2),
    ),
    (("Dell Latitude 3440", 0.7), ("Lenovo ThinkPad L13 Yoga Gen 4", 0.3)),
)


def vendor_of(model: str) -> str:
    first = model.split()[0].lower()
    if first.startswith("ipad"):
        return "apple"
    return {"hp": "hp", "dell": "dell", "lenovo": "lenovo", "microsoft": "microsoft"}[first]


def draw(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def serial_for(vendor: str, rng: random.Random) -> str:
    if vendor == "apple":  # randomised 10-character serial (2021 and later)
        return rng.choice(APPLE_ALPHABET[:24]) + draw(rng, APPLE_ALPHABET, 9)
    if vendor == "lenovo":
        return "PF" + draw(rng, ALNUM, 6)
    if vendor == "dell":  # 7-character service tag
        return draw(rng, DELL_ALPHABET, 7)
    if vendor == "hp":  # 3-character site code, year digit, week, unit
        site = rng.choice(("5CD", "5CG", "CND"))
        return f"{site}{rng.randint(2, 4)}{rng.randint(1, 52):02d}{draw(rng, ALNUM, 4)}"
    return "0" + draw(rng, DIGITS, 11)  # Surface: 12 digits


class DeviceIds:
    """Estate-wide uniqueness of serials and MACs."""

    def __init__(self) -> None:
        self.serials: set[str] = set()
        self.macs: set[str] = set()

    def serial(self, vendor: str, rng: random.Random) -> str:
        while True:
            serial = serial_for(vendor, rng)
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def mac(self, vendor: str, rng: random.Random) -> str:
        first, second = MAC_PREFIX[vendor]
        while True:
            octets = [first, second] + [rng.randrange(256) for _ in range(4)]
            mac = ":".join(f"{o:02x}" for o in octets)
            if mac not in self.macs:
                self.macs.add(mac)
                return mac


def pick_model(fleet: Sequence[tuple[str, float]], rng: random.Random) -> str:
    roll = rng.random()
    total = 0.0
    for model, share in fleet:
        total += share
        if roll < total:
            return model
    return fleet[-1][0]


def devices_csv(school: School, rng: random.Random, ids: DeviceIds, hash_share: float) -> str:
    fleets = APPLE_FLEETS if school.platform == "apple" else WINDOWS_FLEETS
    fleet = rng.choice(fleets)
    rows: list[list[str]] = []
    for number in range(1, school.devices + 1):
        model = pick_model(fleet, rng)
        vendor = vendor_of(model)
        row = [
            ids.serial(vendor, rng),
            ids.mac(vendor, rng),
            f"MK-{school.code}-{number:05d}",
            model,
        ]
        if school.platform == "windows":
            if rng.random() < hash_share:
                # a device bought outside the vendor's Autopilot programme: the IT centre
                # captured the hardware hash itself (random bytes stand in for the real blob)
                hardware_hash = base64.b64encode(rng.randbytes(1024)).decode("ascii")
                product_id = draw(rng, DIGITS, 13)
                row += [hardware_hash, product_id]
            else:
                row += ["", ""]
        rows.append(row)
    rows.sort(key=lambda r: r[0])
    header = ["serial", "mac", "asset_tag", "model"]
    if school.platform == "windows":
        header += ["hardware_hash", "product_id"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# YAML writing (hand-formatted, read back with YAML 1.2 meaning)
# --------------------------------------------------------------------------------------------

PLAIN: Final = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß0-9 ._/+:?=&%()|-]*")
WORDS_WITH_MEANING: Final = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def scalar(value: YamlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"not a scalar: {value!r}")
    plain = (
        PLAIN.fullmatch(value) is not None
        and value.lower() not in WORDS_WITH_MEANING
        and ": " not in value
        and not value.endswith((" ", ":"))
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def is_scalar(value: YamlValue) -> bool:
    return isinstance(value, str | int | bool)


def flow(value: YamlValue) -> str | None:
    """The one-line form of short plain lists, empty maps and secret references, else None."""
    if isinstance(value, list) and all(is_scalar(v) for v in value):
        items = [scalar(v) for v in value]
        text = "[" + ", ".join(items) + "]"
        quoted = any(item.startswith('"') for item in items)
        return text if len(text) <= 120 and not quoted else None
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, dict) and list(value) == ["secret"]:
        return "{secret: " + scalar(value["secret"]) + "}"
    return None


def emit(value: YamlValue, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if is_scalar(item):
                lines.append(f"{pad}{scalar(key)}: {scalar(item)}")
            elif (one_line := flow(item)) is not None:
                lines.append(f"{pad}{scalar(key)}: {one_line}")
            else:
                lines.append(f"{pad}{scalar(key)}:")
                lines += emit(item, indent + 2)
        return lines
    if isinstance(value, list):
        for item in value:
            if is_scalar(item):
                lines.append(f"{pad}- {scalar(item)}")
            elif (one_line := flow(item)) is not None:
                lines.append(f"{pad}- {one_line}")
            else:
                nested = emit(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
        return lines
    raise TypeError(f"not a collection: {value!r}")


def yaml_document(header: str, document: YamlMap) -> str:
    text = header + "\n".join(emit(document, 0)) + "\n"
    if yaml.safe_load(text) != document:  # the hand-formatting must not change meaning
        raise AssertionError(f"YAML round trip changed the document:\n{text}")
    return text


# --------------------------------------------------------------------------------------------
# The estate
# --------------------------------------------------------------------------------------------


def load_catalog(root: Path) -> dict[str, dict[str, object]]:
    catalog: dict[str, dict[str, object]] = {}
    for path in sorted((root / "catalog" / "apps").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("id") != path.stem:
            raise SystemExit(f"{path}: not a catalogue app whose id is {path.stem!r}")
        catalog[path.stem] = data
    return catalog


def check_selection(
    school: School, document: YamlMap, catalog: Mapping[str, Mapping[str, object]]
) -> None:
    apps = document["apps"]
    assert isinstance(apps, list)
    low, high = APPS_PER_SCHOOL
    if not low <= len(apps) <= high:
        raise AssertionError(f"{school.id}: {len(apps)} apps")
    for entry in apps:
        app = entry if isinstance(entry, str) else entry["id"] if isinstance(entry, dict) else None
        if not isinstance(app, str) or app not in catalog:
            raise SystemExit(f"{school.id}: app {app!r} is not in catalog/apps")
        if school.platform not in catalog[app]:
            raise SystemExit(f"{school.id}: app {app!r} has no {school.platform} section")


def secrets_document(secrets: Secrets) -> YamlMap:
    # each secret belongs to the one school that uses it: no other school may reference it
    entries: YamlMap = {
        name: {"description": secrets.entries[name][0], "schools": [secrets.entries[name][1]]}
        for name in sorted(secrets.entries)
    }
    return {"secrets": entries}


def build(root: Path) -> tuple[dict[Path, bytes], dict[str, int]]:
    """Everything the estate consists of: relative path -> bytes, plus a few counts."""
    if len({s.id for s in SCHOOLS}) != len(SCHOOLS) or len({s.code for s in SCHOOLS}) != len(
        SCHOOLS
    ):
        raise AssertionError("school ids and codes must be unique")
    apple = [s for s in SCHOOLS if s.platform == "apple"]
    windows = [s for s in SCHOOLS if s.platform == "windows"]
    apple_devices = sum(s.devices for s in apple)
    windows_devices = sum(s.devices for s in windows)
    if apple_devices != APPLE_TOTAL_DEVICES or min(s.devices for s in apple) < 30:
        raise AssertionError(f"iPads: {apple_devices}")
    if not WINDOWS_DEVICE_RANGE[0] <= windows_devices <= WINDOWS_DEVICE_RANGE[1]:
        raise AssertionError(f"Windows devices: {windows_devices}")

    catalog = load_catalog(root)
    rng = random.Random(SEED)
    secrets = Secrets()
    ids = DeviceIds()
    outputs: dict[Path, bytes] = {}
    hash_schools = set(rng.sample(sorted(s.id for s in windows), 4))
    for school in SCHOOLS:
        document = school_document(school, rng, secrets)
        check_selection(school, document, catalog)
        folder = Path("schools") / school.id
        outputs[folder / "school.yaml"] = yaml_document(SCHOOL_SCHEMA_LINE, document).encode(
            "utf-8"
        )
        hash_share = rng.uniform(0.04, 0.12) if school.id in hash_schools else 0.0
        outputs[folder / "devices.csv"] = devices_csv(school, rng, ids, hash_share).encode("utf-8")
    outputs[Path("secrets.yaml")] = yaml_document(
        SECRETS_SCHEMA_LINE, secrets_document(secrets)
    ).encode("utf-8")
    counts = {
        "schools": len(SCHOOLS),
        "apple schools": len(apple),
        "windows schools": len(windows),
        "ipads": apple_devices,
        "windows devices": windows_devices,
        "secrets": len(secrets.entries),
    }
    return outputs, counts


def owned_files(root: Path) -> list[Path]:
    """The files this script may delete: schools/*/school.yaml, schools/*/devices.csv, secrets.yaml."""
    found = [
        p for name in ("school.yaml", "devices.csv") for p in (root / "schools").glob(f"*/{name}")
    ]
    if (root / "secrets.yaml").exists():
        found.append(root / "secrets.yaml")
    return sorted(p.relative_to(root) for p in found)


def write(root: Path, outputs: Mapping[Path, bytes], report: Callable[[str], None]) -> None:
    for stale in owned_files(root):
        if stale not in outputs:
            (root / stale).unlink()
            report(f"removed {stale}")
            folder = (root / stale).parent
            if folder != root and folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
    for relative, data in sorted(outputs.items()):
        path = root / relative
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def differences(root: Path, outputs: Mapping[Path, bytes]) -> list[str]:
    problems = [f"stale: {p}" for p in owned_files(root) if p not in outputs]
    for relative, data in sorted(outputs.items()):
        path = root / relative
        if not path.exists():
            problems.append(f"missing: {relative}")
        elif path.read_bytes() != data:
            problems.append(f"differs: {relative}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (default: the parent of tools/)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files on disk differ"
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    outputs, counts = build(root)
    if args.check:
        problems = differences(root, outputs)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    write(root, outputs, print)
    print(", ".join(f"{value} {key}" for key, value in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

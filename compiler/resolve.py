"""Resolve stage: profile defaults + a school's values -> the school's effective configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.inventory import Device
from compiler.model import App, Estate, Profile, School
from compiler.params import replace_secrets, with_defaults


@dataclass(frozen=True)
class AppliedProfile:
    profile: Profile
    values: dict[str, Any]  # effective; secrets are placeholders (or values, for a manual export)
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedApp:
    app: App
    install: str
    config: dict[str, Any]
    index: int


@dataclass(frozen=True)
class SchoolConfig:
    school: School
    profiles: tuple[AppliedProfile, ...]
    apps: tuple[ResolvedApp, ...]
    devices: tuple[Device, ...]


def applied_profiles(estate: Estate, school: School) -> list[Profile]:
    """Listed profiles plus the 'always' ones that match the school, in id order."""
    out = []
    for pid in sorted(estate.profiles):
        profile = estate.profiles[pid]
        if pid in school.profiles or (profile.mode == "always" and profile.applies_to(school)):
            out.append(profile)
    return out


def resolve_school(
    estate: Estate, school: School, secret_values: dict[str, str] | None = None
) -> SchoolConfig:
    profiles = []
    for profile in applied_profiles(estate, school):
        found: set[str] = set()
        effective = with_defaults(profile.parameters, school.profiles.get(profile.id, {}))
        values = replace_secrets(effective, secret_values, found)
        profiles.append(AppliedProfile(profile, values, tuple(sorted(found))))
    apps = tuple(
        ResolvedApp(estate.apps[c.app_id], c.install, c.config, c.index) for c in school.apps
    )
    devices = tuple(sorted(estate.inventories.get(school.id, []), key=lambda d: d.serial))
    return SchoolConfig(school, tuple(profiles), apps, devices)

"""The estate after validation: typed, trusted values for resolve and render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.inventory import Device
from compiler.yamlload import Document


@dataclass(frozen=True)
class Settings:
    organisation: str
    payload_prefix: str
    reviewers: str
    naming_object: str
    naming_group: str
    mdm_apple: str
    mdm_windows: str
    ipados: str
    supervised: bool
    vpp_token: str = ""  # the App Store licence token whose apps are assigned (several tokens)


@dataclass(frozen=True)
class AppChoice:
    app_id: str
    install: str  # required | available
    config: dict[str, Any]
    index: int  # position in the school's `apps` list, for diagnostics


@dataclass(frozen=True)
class School:
    id: str
    name: str
    type: str
    platform: str
    maintainers: tuple[str, ...]
    profiles: dict[str, dict[str, Any]]
    apps: tuple[AppChoice, ...]
    path: str


@dataclass(frozen=True)
class App:
    id: str
    name: str
    publisher: str
    licence: str
    apple: dict[str, Any] | None
    windows: dict[str, Any] | None
    path: str


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    description: str
    platforms: tuple[str, ...]
    school_types: tuple[str, ...]
    mode: str
    locked: tuple[str, ...]
    removal_disallowed: bool
    consent_text: str
    parameters: dict[str, Any]
    templates: dict[str, str]
    path: str

    def applies_to(self, school: School) -> bool:
        return school.platform in self.platforms and (
            not self.school_types or school.type in self.school_types
        )


@dataclass
class Estate:
    settings: Settings
    secrets: dict[str, str]  # name -> description
    # name -> the schools that may use it; None: every school (estate: true)
    secret_owners: dict[str, frozenset[str] | None] = field(default_factory=dict)
    schools: dict[str, School] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    inventories: dict[str, list[Device]] = field(default_factory=dict)
    templates: dict[str, Document] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # by path, for positions
    # ids whose files exist but have findings of their own: references to them are not "unknown"
    broken_apps: set[str] = field(default_factory=set)
    broken_profiles: set[str] = field(default_factory=set)

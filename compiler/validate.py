"""Validate stage: JSON Schema for every file, then the rules across files.

Every finding is collected; a file that fails its schema is left out of the cross-file rules
(so one typo does not cascade into a dozen confusing follow-ups).
"""

from __future__ import annotations

import string
from typing import Any

from compiler import rules_apps, rules_inventory, rules_platform, rules_refs, secrets
from compiler.diagnostics import Collector, Diagnostic
from compiler.load import RawEstate
from compiler.model import App, AppChoice, Estate, Profile, School, Settings
from compiler.params import check_parameter_schema
from compiler.schema_check import check
from compiler.schemas import schema
from compiler.yamlload import Document


def _ok(doc: Document, kind: str, diags: Collector) -> bool:
    if doc.data is None and doc.path:
        return False  # unreadable; load already said why (or the file is empty: see below)
    found = check(doc, schema(kind))
    diags.extend(found)
    return not found


NAMING_FIELDS = {
    "object": {"school", "school_name", "profile", "name", "platform"},
    "group": {"school", "school_name", "platform"},
}


def _naming_findings(doc: Document) -> list[Diagnostic]:
    """Naming conventions may use only their documented {placeholders}, nothing else."""
    out = []
    for key, allowed in NAMING_FIELDS.items():
        text = doc.data.get("naming", {}).get(key)
        if not isinstance(text, str):
            continue
        line, col = doc.mark(("naming", key))
        try:
            fields = [
                (f, spec, conv)
                for _, f, spec, conv in string.Formatter().parse(text)
                if f is not None
            ]
        except ValueError as exc:
            out.append(
                Diagnostic(
                    doc.path,
                    line,
                    col,
                    "naming-placeholder",
                    f"naming.{key}: {exc}",
                    "write braces as {{ and }}",
                )
            )
            continue
        for field_name, spec, conv in fields:
            if field_name not in allowed or spec or conv:
                hint = "placeholders: " + ", ".join("{" + a + "}" for a in sorted(allowed))
                out.append(
                    Diagnostic(
                        doc.path,
                        line,
                        col,
                        "naming-placeholder",
                        f"naming.{key}: '{{{field_name}}}' is not a placeholder here",
                        hint,
                    )
                )
    return out


def _settings(data: dict[str, Any]) -> Settings:
    naming = data.get("naming", {})
    apple = data.get("apple", {})
    return Settings(
        organisation=data["organisation"],
        payload_prefix=data["payload_prefix"],
        reviewers=data["reviewers"],
        naming_object=naming.get("object", "{school} | {name}"),
        naming_group=naming.get("group", "SMDM-{school}-devices"),
        mdm_apple=data["mdm"]["apple"],
        mdm_windows=data["mdm"]["windows"],
        ipados=apple.get("ipados", "17.0"),
        supervised=apple.get("supervised", True),
        vpp_token=apple.get("vpp_token", ""),
    )


def _school(doc: Document) -> School:
    d = doc.data
    apps = []
    for i, item in enumerate(d.get("apps", [])):
        if isinstance(item, str):
            apps.append(AppChoice(item, "required", {}, i))
        else:
            apps.append(
                AppChoice(item["id"], item.get("install", "required"), item.get("config", {}), i)
            )
    return School(
        id=d["id"],
        name=d["name"],
        type=d["type"],
        platform=d["platform"],
        maintainers=tuple(d["maintainers"]),
        profiles=d.get("profiles", {}),
        apps=tuple(apps),
        path=doc.path,
    )


def _app(doc: Document) -> App:
    d = doc.data
    return App(
        d["id"], d["name"], d["publisher"], d["licence"], d.get("apple"), d.get("windows"), doc.path
    )


def _profile(doc: Document) -> Profile:
    d = doc.data
    applies = d["applies_to"]
    return Profile(
        id=d["id"],
        name=d["name"],
        description=d["description"],
        platforms=tuple(applies["platforms"]),
        school_types=tuple(applies.get("school_types", [])),
        mode=applies.get("mode", "opt-in"),
        locked=tuple(d.get("locked", [])),
        removal_disallowed=d.get("removal_disallowed", False),
        consent_text=d.get("consent_text", ""),
        parameters=d["parameters"],
        templates=d["templates"],
        path=doc.path,
    )


def _config_ok(doc: Document, diags: Collector) -> bool:
    """An app's `config_schema` is a JSON Schema the compiler can use on schools' values."""
    ok = True
    for platform in ("apple", "windows"):
        part = doc.data.get(platform)
        if not isinstance(part, dict) or "config_schema" not in part:
            continue
        problem = check_parameter_schema(part["config_schema"])
        if problem is not None:
            where, message = problem
            line, col = doc.mark((platform, "config_schema", *where))
            diags.add(
                doc.path, line, col, "app-schema", f"'config_schema' is not usable: {message}"
            )
            ok = False
    return ok


def _empty(doc: Document, diags: Collector, what: str) -> bool:
    if doc.data is None and not any(d.path == doc.path for d in diags.items):
        diags.add(doc.path, 1, 1, "empty-file", f"the {what} file is empty")
        return True
    return False


def validate(
    raw: RawEstate, load_diags: list[Diagnostic]
) -> tuple[Estate | None, list[Diagnostic]]:
    diags = Collector()
    diags.extend(load_diags)
    if _empty(raw.estate, diags, "estate settings") or not _ok(raw.estate, "estate", diags):
        return None, diags.sorted()
    naming = _naming_findings(raw.estate)
    if naming:
        diags.extend(naming)
        return None, diags.sorted()
    estate = Estate(settings=_settings(raw.estate.data), secrets={})
    docs = estate.documents
    docs[raw.estate.path] = raw.estate
    if raw.secrets is not None:
        docs[raw.secrets.path] = raw.secrets
        if not _empty(raw.secrets, diags, "secrets") and _ok(raw.secrets, "secrets", diags):
            estate.secrets = {k: v["description"] for k, v in raw.secrets.data["secrets"].items()}
            estate.secret_owners = secrets.owners(raw.secrets.data)

    for app_id, doc in raw.apps.items():
        docs[doc.path] = doc
        if not _empty(doc, diags, "app") and _ok(doc, "app", diags) and _config_ok(doc, diags):
            estate.apps[app_id] = _app(doc)
    for path, doc in raw.templates.items():
        docs[path] = doc
        kind = "template-apple" if path.startswith("templates/apple/") else "template-windows"
        if not _empty(doc, diags, "template"):
            _ok(doc, kind, diags)
    estate.templates = raw.templates
    for profile_id, doc in raw.profiles.items():
        docs[doc.path] = doc
        if _empty(doc, diags, "profile") or not _ok(doc, "profile", diags):
            continue
        problem = check_parameter_schema(doc.data["parameters"])
        if problem is not None:
            where, message = problem
            line, col = doc.mark(("parameters", *where))
            diags.add(
                doc.path,
                line,
                col,
                "profile-schema",
                f"'parameters' is not a valid JSON Schema: {message}",
            )
            continue
        estate.profiles[profile_id] = _profile(doc)
    estate.broken_apps = set(raw.apps) - set(estate.apps)
    estate.broken_profiles = set(raw.profiles) - set(estate.profiles)
    for school_id, doc in raw.schools.items():
        docs[doc.path] = doc
        if not _empty(doc, diags, "school") and _ok(doc, "school", diags):
            estate.schools[school_id] = _school(doc)
    for school_id, inv in raw.inventories.items():
        estate.inventories[school_id] = inv.devices

    diags.extend(secrets.check_owners(raw, estate))
    diags.extend(rules_refs.check_ids(raw, estate))
    diags.extend(rules_refs.check_profiles(estate))
    diags.extend(rules_refs.check_schools(estate))
    diags.extend(rules_apps.check_apps(estate))
    diags.extend(rules_platform.check_template_requirements(estate))
    diags.extend(rules_inventory.check(estate, raw))
    result = diags.sorted()
    return (None if result else estate), result

"""Rules across files: ids, references to profiles and secrets, locked values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.load import RawEstate
from compiler.memo import by_identity
from compiler.model import Estate, Profile, School
from compiler.params import is_secret_ref, marked, strip_markers, with_defaults
from compiler.rules_common import at as _at
from compiler.rules_common import strings as _strings
from compiler.schema_check import dotted, error_to_diagnostics, schema_errors
from compiler.secrets import may_use, usable
from compiler.suggest import did_you_mean
from compiler.yamlload import Document, Path_


def check_ids(raw: RawEstate, estate: Estate) -> Iterator[Diagnostic]:
    """The id inside a file equals the name of its folder or file."""
    groups = (
        (raw.schools, estate.schools, "folder"),
        (raw.apps, estate.apps, "file name"),
        (raw.profiles, estate.profiles, "file name"),
    )
    for docs, valid, what in groups:
        for name, doc in docs.items():
            if name in valid and doc.data["id"] != name:
                yield _at(
                    doc,
                    ("id",),
                    "id-mismatch",
                    f"the id '{doc.data['id']}' differs from its {what} '{name}'",
                    f"ids never change; set id: {name}",
                )


# the same stripped object every time, so its compiled checks are reused across schools
_stripped = by_identity(strip_markers)


def param_schema(profile: Profile) -> Any:
    """The profile's parameter schema with secret slots accepting anything."""
    return _stripped(profile.parameters)


def check_profiles(estate: Estate) -> Iterator[Diagnostic]:
    """A profile's own consistency: templates exist, locked names exist, defaults are valid."""
    for profile in estate.profiles.values():
        doc = estate.documents[profile.path]
        props = profile.parameters.get("properties", {})
        for i, name in enumerate(profile.locked):
            if name not in props:
                yield _at(
                    doc,
                    ("locked", i),
                    "unknown-parameter",
                    f"the locked parameter '{name}' is not among the parameters",
                    did_you_mean(name, props),
                )
        for platform in profile.platforms:
            if platform not in profile.templates:
                yield _at(
                    doc,
                    ("templates",),
                    "missing-template",
                    f"the profile applies to {platform} but has no {platform} template",
                )
        for platform, path in profile.templates.items():
            if path not in estate.templates:
                yield _at(
                    doc,
                    ("templates", platform),
                    "missing-template",
                    f"the template '{path}' does not exist",
                    did_you_mean(path, estate.templates),
                )
        stripped = param_schema(profile).get("properties", {})
        for name, sub in stripped.items():
            if not isinstance(sub, dict) or "default" not in sub:
                continue
            default = with_defaults(sub, sub["default"])
            for error in schema_errors(sub, default):
                yield _at(
                    doc,
                    ("parameters", "properties", name, "default"),
                    "invalid-default",
                    f"the default of '{name}' does not fit its own schema: {error.message}",
                )


def _app_ref_ok(value: Any, school: School, estate: Estate) -> str:
    if not isinstance(value, str):
        return ""
    if "." in value or value in estate.broken_apps:
        return ""  # a bundle id of a built-in app, or an app whose own file already has findings
    if value not in estate.apps:
        return f"'{value}' is not a catalogue app" + (
            f"; {did_you_mean(value, estate.apps)}" if did_you_mean(value, estate.apps) else ""
        )
    if value not in {a.app_id for a in school.apps}:
        return f"'{value}' is not among the school's apps; add it under 'apps'"
    return ""


def _check_values(
    school: School, profile: Profile, estate: Estate, doc: Document
) -> Iterator[Diagnostic]:
    base: Path_ = ("profiles", profile.id)
    folder = school.path.split("/")[1]  # the school's real id (its `id` may be mistyped)
    values = school.profiles.get(profile.id, {})
    for name in values:
        if name in profile.locked:
            yield _at(
                doc,
                (*base, name),
                "locked-parameter",
                f"'{name}' is locked by profile '{profile.id}' ({profile.path})",
                "remove it; the IT centre sets this value for every school",
                key=True,
            )
    effective = with_defaults(profile.parameters, values)
    for error in schema_errors(param_schema(profile), effective):
        for diag in error_to_diagnostics(doc, error, base):
            yield Diagnostic(
                diag.path,
                diag.line,
                diag.col,
                "parameter-value" if diag.code == "invalid-value" else diag.code,
                diag.message,
                diag.hint,
            )
    for path, value in marked(profile.parameters, effective, "x-secret"):
        where = dotted((*base, *path))
        if not is_secret_ref(value):
            yield _at(
                doc,
                (*base, *path),
                "plaintext-secret",
                f"{where} must reference a secret, not hold its value",
                "write {secret: NAME} and ask the IT centre to store the value as NAME",
            )
        elif value["secret"] not in estate.secrets:
            yield _at(
                doc,
                (*base, *path, "secret"),
                "undeclared-secret",
                f"the secret '{value['secret']}' is not declared in secrets.yaml",
                # only names this school may use: never point it at another school's secret
                did_you_mean(value["secret"], usable(estate, folder))
                or "ask the IT centre to declare it in secrets.yaml",
            )
        elif not may_use(estate, folder, value["secret"]):
            yield _at(
                doc,
                (*base, *path, "secret"),
                "secret-not-owned",
                f"the secret '{value['secret']}' does not belong to this school",
                did_you_mean(value["secret"], usable(estate, folder))
                or f"ask the IT centre for a secret of your own, with schools: [{folder}] in secrets.yaml",
            )
    for path, value in marked(profile.parameters, effective, "x-app-ref"):
        problem = _app_ref_ok(value, school, estate)
        if problem:
            yield _at(doc, (*base, *path), "unknown-app", f"{dotted((*base, *path))}: {problem}")


def check_schools(estate: Estate) -> Iterator[Diagnostic]:
    for school in estate.schools.values():
        doc = estate.documents[school.path]
        # anywhere in a school's file (its name too: display names carry it into MDM bodies),
        # a placeholder would make the deployer fill in a secret the school does not own
        for path, text in _strings(doc.data, ()):
            if "${secret:" in text:
                yield _at(
                    doc,
                    path,
                    "reserved-text",
                    f"{dotted(path)}: '${{secret:' is reserved for secret placeholders",
                    "reference a secret with {secret: NAME} instead",
                )
        for profile_id in school.profiles:
            profile = estate.profiles.get(profile_id)
            if profile is None and profile_id in estate.broken_profiles:
                continue  # the profile's own file has findings; don't pile follow-ups on the school
            if profile is None:
                hint = did_you_mean(profile_id, estate.profiles) or "known profiles: " + ", ".join(
                    sorted(estate.profiles)
                )
                yield _at(
                    doc,
                    ("profiles", profile_id),
                    "unknown-profile",
                    f"there is no profile '{profile_id}'",
                    hint,
                    key=True,
                )
            elif school.platform not in profile.platforms:
                yield _at(
                    doc,
                    ("profiles", profile_id),
                    "profile-platform",
                    f"the profile '{profile_id}' is not for {school.platform} schools",
                    "it applies to: " + ", ".join(profile.platforms),
                    key=True,
                )
            elif not profile.applies_to(school):
                yield _at(
                    doc,
                    ("profiles", profile_id),
                    "profile-school-type",
                    f"the profile '{profile_id}' is not for schools of type '{school.type}'",
                    "it applies to: " + ", ".join(profile.school_types),
                    key=True,
                )
            else:
                yield from _check_values(school, profile, estate, doc)
        for profile in estate.profiles.values():
            if (
                profile.mode == "always"
                and profile.id not in school.profiles
                and profile.applies_to(school)
            ):
                yield from _check_values(school, profile, estate, doc)

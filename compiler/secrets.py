"""Secrets have owners, and their values fit the slot they fill.

Each entry of secrets.yaml says who may use it: `schools: [id, ...]` or `estate: true`. A school
may reference only the secrets it owns (or estate-wide ones), so a school can never put another
school's password on its devices. When values are put in (a manual export today, the deployer
later), `check_secret_values` checks them by the kind of parameter they fill, before anything is
written, and its findings name the secret, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compiler import plaintext
from compiler.diagnostics import Diagnostic
from compiler.load import SECRETS_FILE, RawEstate
from compiler.model import Estate
from compiler.params import SECRET_KINDS, is_secret_ref, with_defaults
from compiler.resolve import applied_profiles
from compiler.rules_common import at
from compiler.schema_check import dotted
from compiler.suggest import did_you_mean
from compiler.yamlload import Path_


def owners(data: Any) -> dict[str, frozenset[str] | None]:
    """secret name -> the schools that may use it (None: every school). From a secrets.yaml
    that passed its schema; an entry with no owner belongs to nobody."""
    out: dict[str, frozenset[str] | None] = {}
    for name, entry in data["secrets"].items():
        out[name] = None if entry.get("estate") is True else frozenset(entry.get("schools", []))
    return out


def may_use(estate: Estate, school_id: str, name: str) -> bool:
    allowed = estate.secret_owners.get(name, frozenset())
    return allowed is None or school_id in allowed


def usable(estate: Estate, school_id: str) -> list[str]:
    """The secrets a school may reference (what a 'did you mean' hint may suggest)."""
    return [n for n in estate.secrets if may_use(estate, school_id, n)]


def check_owners(raw: RawEstate, estate: Estate) -> Iterator[Diagnostic]:
    """Every secret names its owners: schools that exist, or the whole estate; not both."""
    doc = raw.secrets
    if doc is None or not estate.secrets:
        return
    for name, entry in doc.data["secrets"].items():
        has_schools, has_estate = "schools" in entry, entry.get("estate") is True
        if has_schools == has_estate:
            hint = f"add 'schools: [<school id>]' (who may use {name}) or 'estate: true' (every school)"
            what = "says both" if has_schools else "says neither"
            msg = f"the secret '{name}' {what} which schools may use it ('schools') and 'estate: true'"
            yield at(doc, ("secrets", name), "secret-owner", msg, hint, key=True)
            continue
        for i, school in enumerate(entry.get("schools", [])):
            if school not in raw.schools:
                hint = (
                    did_you_mean(school, raw.schools)
                    or "school ids are the folder names under schools/"
                )
                msg = f"the secret '{name}' names the school '{school}', which does not exist"
                yield at(doc, ("secrets", name, "schools", i), "secret-owner", msg, hint)


# --- values, by the kind of slot they fill ---------------------------------------------------

_HEX64 = re.compile(r"[0-9A-Fa-f]{64}\Z")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]{8,63}\Z")


def value_problem(kind: str, value: str) -> str:
    """Why `value` cannot fill a slot of `kind`, or ''. Never quotes the value."""
    bad = plaintext.first_bad(value)
    if bad >= 0:
        return (
            f"it holds {plaintext.describe(value[bad])}, which no profile or Graph body can carry"
        )
    if kind == "wpa-passphrase":
        if _PRINTABLE_ASCII.match(value) or _HEX64.match(value):
            return ""
        return "a WPA passphrase is 8 to 63 printable ASCII characters, or 64 hex digits"
    if not value:
        return "it is empty"
    if kind == "password" and len(value) > 256:
        return "a password has at most 256 characters"
    return ""


@dataclass(frozen=True)
class Use:
    """One reference to a secret: which school, where in its file, and the slot's kind."""

    school: str
    path: Path_
    kind: str


def _slots(schema: Any, value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any, str]]:
    """(path, value, kind) of every `x-secret` slot in a school's effective values."""
    if not isinstance(schema, dict):
        return
    if schema.get("x-secret") is True:
        kind = schema.get("x-secret-kind", "text")
        yield path, value, kind if kind in SECRET_KINDS else "text"
        return
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                yield from _slots(sub, value[key], (*path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _slots(schema["items"], item, (*path, i))


def uses(estate: Estate, school_ids: Iterable[str]) -> dict[str, list[Use]]:
    """secret name -> every reference to it from the given schools."""
    found: dict[str, list[Use]] = {}
    for sid in school_ids:
        school = estate.schools[sid]
        for profile in applied_profiles(estate, school):
            effective = with_defaults(profile.parameters, school.profiles.get(profile.id, {}))
            for path, value, kind in _slots(profile.parameters, effective):
                if is_secret_ref(value):
                    where: Path_ = ("profiles", profile.id, *path)
                    found.setdefault(value["secret"], []).append(Use(sid, where, kind))
    return found


def check_secret_values(
    estate: Estate, values: Mapping[str, str], school_ids: Iterable[str]
) -> list[Diagnostic]:
    """Findings for secret values that are missing or do not fit the slots they fill, at the
    secret's line in secrets.yaml. Messages name the secret and the slot, never the value."""
    doc = estate.documents.get(SECRETS_FILE)
    out = []
    for name, refs in sorted(uses(estate, school_ids).items()):
        line, col = doc.mark(("secrets", name), key=True) if doc else (1, 1)
        value = values.get(name)
        if value is None:
            msg = f"the secret '{name}' has no value (set the environment variable {name})"
            out.append(Diagnostic(SECRETS_FILE, line, col, "secret-value", msg))
            continue
        for kind in sorted({r.kind for r in refs}):
            problem = value_problem(kind, value)
            if problem:
                use = next(r for r in refs if r.kind == kind)
                slot = f"{dotted(use.path)} of school '{use.school}'"
                msg = f"the value of the secret '{name}' does not fit {slot}: {problem}"
                hint = f"correct the value stored as {name}; it is never shown here"
                out.append(Diagnostic(SECRETS_FILE, line, col, "secret-value", msg, hint))
    return out
